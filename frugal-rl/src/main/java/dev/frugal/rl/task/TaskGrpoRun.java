package dev.frugal.rl.task;

import dev.frugal.model.CausalLM;
import dev.frugal.rl.GrpoConfig;
import dev.frugal.rl.GrpoTrainer;
import dev.frugal.rl.RewardFunction;
import dev.frugal.rl.SamplerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GRPO on the task family: prompts from a seeded {@link TaskFamily#training} stream, the exact-match reward (plus
 * partial credit if asked), and the family's held-out split ({@link TaskFamily#heldOut}: prompts neither pretraining
 * nor GRPO ever sees), scored greedily and by sampling as GRPO samples.
 */
public final class TaskGrpoRun implements AutoCloseable {
    /** Seed of the held-out sampling evaluation: every evaluation draws with the same random numbers. */
    public static final long EVAL_SEED = 0xE7A1L;
    private final CausalLM policy;
    private final GrpoConfig cfg;
    private final GrpoTrainer trainer;
    private final TaskFamily stream;
    private final Map<String, String> answers = new HashMap<>();
    private final List<Task> heldOut;
    private final int promptsPerStep;

    /**
     * @param promptsPerStep      P; the batch is P·G completions
     * @param heldOutSize         held-out prompts (≤ {@link TaskFamily#RESERVED})
     * @param partialCreditWeight weight of {@link TaskFamily#partialCredit} added to the exact-match reward (0 = exact
     *                            match alone); held-out evaluation is exact match either way
     */
    public TaskGrpoRun(CausalLM policy, CausalLM reference, GrpoConfig cfg, SamplerConfig sampling, long seed,
                       int promptsPerStep, int heldOutSize, double partialCreditWeight) {
        this.policy = policy;
        this.cfg = cfg;
        this.promptsPerStep = promptsPerStep;
        this.heldOut = TaskFamily.heldOut(heldOutSize);
        this.stream = TaskFamily.training(seed);
        List<RewardFunction.Named> rewards = new ArrayList<>(List.of(TaskFamily.exactMatch(answers)));
        if (partialCreditWeight > 0) rewards.add(TaskFamily.partialCredit(answers, partialCreditWeight));
        this.trainer = new GrpoTrainer(policy, reference, cfg, sampling, rewards, new GrpoTrainer.Codec() {
            @Override
            public long[] encodePrompt(String prompt) { return CharVocab.encodePrompt(prompt); }

            @Override
            public String decodeCompletion(long[] tokens) {
                // a completion that never ended cannot match
                return CharVocab.decode(tokens) + (CharVocab.finished(tokens) ? "" : "…");
            }
        });
    }

    public GrpoTrainer trainer() { return trainer; }

    public List<Task> heldOut() { return heldOut; }

    /** Greedy exact match on the held-out prompts. */
    public double evaluate() { return Pretrainer.exactMatch(policy, heldOut); }

    /**
     * The held-out reward: exact match of {@code samples} completions per held-out prompt, sampled at GRPO's
     * temperature and top-p with {@link #EVAL_SEED}'s generators (the same random numbers at every evaluation).
     */
    public double evaluateSampled(int samples) {
        return Pretrainer.sampledExactMatch(policy, heldOut, samples, cfg.temperature(), cfg.topP(), EVAL_SEED);
    }

    /** Skips the prompts of {@code steps} steps (resume: the stream continues where the checkpoint left it). */
    public void skip(int steps) {
        for (int i = 0; i < steps * promptsPerStep; i++) stream.next();
        trainer.resumeAt(steps);
    }

    /** One GRPO step on the next P prompts of the stream. */
    public Map<String, Object> step() {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < promptsPerStep; i++) {
            Task t = stream.next();
            answers.put(t.prompt(), t.answer());
            prompts.add(t.prompt());
        }
        return trainer.train(prompts);
    }

    @Override
    public void close() { trainer.close(); }
}
