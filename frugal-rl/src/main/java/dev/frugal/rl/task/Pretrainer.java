package dev.frugal.rl.task;

import dev.frugal.model.CausalLM;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Supervised training of a {@link TinyLm} on the task family: cross-entropy on the taught completion's tokens
 * (restatements, answer and {@code <eos>}) given the prompt, AdamW, batches drawn fresh from a seeded
 * {@link TaskFamily#training} stream (no held-out prompt). Meant to stop early, where
 * the model is partly right, so that GRPO has something to improve.
 */
public final class Pretrainer {
    private Pretrainer() {}

    /**
     * @param steps     optimizer steps
     * @param batch     sequences per step
     * @param lr        AdamW learning rate
     * @param onStep    called after each step with the step number (progress)
     * @return the mean loss of the last 20 steps
     */
    public static double train(CausalLM model, long seed, int steps, int batch, double lr, IntConsumer onStep) {
        List<Tensor> params = new ArrayList<>(model.namedParameters().values());
        for (Tensor p : params) p.requiresGrad(true);
        TaskFamily tasks = TaskFamily.training(seed);
        double tail = 0;
        int tailN = 0;
        try (AdamW opt = new AdamW(params, new AdamWConfig(lr, 0.9, 0.98, 1e-8, 0.01))) {
            for (int step = 1; step <= steps; step++) {
                try (Scope s = Scope.open()) {
                    Tensor loss = loss(model, tasks.take(batch));
                    loss.backward();
                    opt.step();
                    for (Tensor p : params) p.clearGrad();
                    if (step > steps - 20) {
                        tail += loss.itemDouble();
                        tailN++;
                    }
                }
                onStep.accept(step);
            }
        }
        for (Tensor p : params) p.requiresGrad(false);
        return tail / Math.max(1, tailN);
    }

    /** Mean cross-entropy of the completion tokens: input = prompt ++ completion, right-padded. */
    static Tensor loss(CausalLM model, List<Task> batch) {
        int b = batch.size(), t = 0;
        List<long[]> seqs = new ArrayList<>();
        List<Integer> promptLens = new ArrayList<>();
        for (Task k : batch) {
            long[] p = CharVocab.encodePrompt(k.prompt()), a = CharVocab.encodeAnswer(k.completion());
            long[] s = java.util.Arrays.copyOf(p, p.length + a.length);
            System.arraycopy(a, 0, s, p.length, a.length);
            seqs.add(s);
            promptLens.add(p.length);
            t = Math.max(t, s.length);
        }
        long[] ids = new long[b * t], mask = new long[b * t], targets = new long[b * (t - 1)];
        java.util.Arrays.fill(targets, -100);
        for (int i = 0; i < b; i++) {
            long[] s = seqs.get(i);
            for (int j = 0; j < s.length; j++) {
                ids[i * t + j] = s[j];
                mask[i * t + j] = 1;
                if (j >= promptLens.get(i)) targets[i * (t - 1) + j - 1] = s[j]; // predicted from position j − 1
            }
        }
        Tensor input = Tensors.fromLongs(ids, b, t).to(model.device());
        Tensor logits = model.logits(input, Tensors.fromLongs(mask, b, t).to(model.device()), null, null); // (B, T, V)
        Tensor l = logits.narrow(1, 0, t - 1).reshape((long) b * (t - 1), logits.size(2));
        return NN.crossEntropy(l, Tensors.fromLongs(targets, (long) b * (t - 1)).to(model.device()), -100);
    }

    /**
     * Exact-match rate of greedy decoding on {@code tasks} (the {@link TaskFamily#finalAnswer} of a completion that
     * ended): prompts of equal length decode together in one batch (no padding, plain KV cache), each until
     * {@code <eos>} or {@link TaskFamily#maxAnswerTokens()} tokens.
     */
    public static double exactMatch(CausalLM model, List<Task> tasks) {
        java.util.Map<Integer, List<Task>> byLen = new java.util.TreeMap<>();
        for (Task k : tasks) byLen.computeIfAbsent(CharVocab.encodePrompt(k.prompt()).length, x -> new ArrayList<>()).add(k);
        int ok = 0;
        for (List<Task> group : byLen.values()) {
            int b = group.size();
            long[][] prompts = new long[b][];
            for (int i = 0; i < b; i++) prompts[i] = CharVocab.encodePrompt(group.get(i).prompt());
            long[][] out = greedy(model, prompts, TaskFamily.maxAnswerTokens());
            for (int i = 0; i < b; i++)
                if (CharVocab.finished(out[i])
                        && TaskFamily.finalAnswer(CharVocab.decode(out[i])).equals(group.get(i).answer())) ok++;
        }
        return (double) ok / tasks.size();
    }

    /**
     * Exact-match rate of sampled completions on {@code tasks}: {@code samples} per prompt at the given temperature and
     * nucleus mass, each from its own generator keyed by ({@code seed}, prompt, sample) as GRPO samples, so two calls
     * with the same seed draw with the same random numbers (an evaluation's noise is then the policy's change, not
     * the dice). This is the reward GRPO maximises, on prompts it never trains on.
     */
    public static double sampledExactMatch(CausalLM model, List<Task> tasks, int samples, double temperature,
                                           double topP, long seed) {
        List<long[]> prompts = new ArrayList<>();
        for (Task k : tasks) prompts.add(CharVocab.encodePrompt(k.prompt()));
        // all at once: the tiny model's keys and values for every completion fit easily, and one wide step per token
        // beats many narrow ones
        dev.frugal.rl.SamplerConfig cfg = new dev.frugal.rl.SamplerConfig(dev.frugal.rl.SamplingMode.FULL, samples,
                samples, 0, TaskFamily.maxAnswerTokens(), temperature, topP, seed, CharVocab.EOS, 0.2);
        dev.frugal.rl.GroupSampler.Result r;
        try (dev.frugal.tensor.GradMode g = dev.frugal.tensor.GradMode.off()) {
            r = dev.frugal.rl.GroupSampler.sample(model, prompts, cfg, null);
        }
        int ok = 0;
        for (dev.frugal.rl.Completion c : r.completions())
            if (CharVocab.finished(c.tokens())
                    && TaskFamily.finalAnswer(CharVocab.decode(c.tokens())).equals(tasks.get(c.prompt()).answer())) ok++;
        return (double) ok / r.completions().size();
    }

    /** Greedy continuation of equal-length prompts {@code (B, P)}, {@code steps} tokens each. */
    static long[][] greedy(CausalLM model, long[][] prompts, int steps) {
        int b = prompts.length;
        long[][] out = new long[b][steps];
        try (dev.frugal.model.KvCache kv = new dev.frugal.model.KvCache(model.blockParams().size());
             dev.frugal.tensor.GradMode g = dev.frugal.tensor.GradMode.off()) {
            Tensor next = Tensors.fromLongs(prompts).to(model.device()).keep();
            for (int s = 0; s < steps; s++) {
                long[] tok;
                try (Scope sc = Scope.open()) {
                    Tensor logits = model.logits(next, null, kv, null);                 // (B, T, V)
                    tok = logits.select(1, logits.size(1) - 1).argmax(1, false).toLongArray(); // (B)
                }
                next.close();
                for (int i = 0; i < b; i++) out[i][s] = tok[i];
                next = Tensors.fromLongs(tok, b, 1).to(model.device()).keep();
            }
            next.close();
        }
        return out;
    }
}
