package dev.frugal.rl;

import dev.frugal.model.CausalLM;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GRPO (DeepSeekMath, arXiv 2402.03300, Algorithm 1) as TRL's {@code GRPOTrainer} runs it: for each batch of P
 * prompts, sample G completions each (with a {@link GroupSampler} schedule), score them with the rewards, form
 * group-relative {@link Advantages}, then take {@code num_iterations} AdamW steps on the {@link GrpoLoss} against the
 * log-probabilities of the policy that sampled. A reward that fails stops the step before anything is changed.
 */
public final class GrpoTrainer implements AutoCloseable {
    /** TRL's {@code max_grad_norm}. */
    public static final double MAX_GRAD_NORM = 1.0;

    /** Turns prompts into tokens and completions into the text a reward reads. */
    public interface Codec {
        long[] encodePrompt(String prompt);

        String decodeCompletion(long[] tokens);
    }

    private final CausalLM policy;
    private final CausalLM reference; // null when β = 0
    private final GrpoConfig cfg;
    private final SamplerConfig sampling;
    private final List<RewardFunction.Named> rewards;
    private final Codec codec;
    private final LengthPredictor predictor = new LengthPredictor(1.0);
    private final List<Tensor> params;
    private final AdamW opt;
    private int step;

    /**
     * @param reference frozen reference model for the KL term (same architecture and vocabulary), or null if β = 0
     * @throws dev.frugal.UserInputException when the reference differs from the policy in architecture or vocabulary
     */
    public GrpoTrainer(CausalLM policy, CausalLM reference, GrpoConfig cfg, SamplerConfig sampling,
                       List<RewardFunction.Named> rewards, Codec codec) {
        if (cfg.beta() > 0 && reference == null)
            throw new dev.frugal.InvalidSettingException("beta", "" + cfg.beta() + " needs a reference model (--ref-model)");
        if (reference != null) checkReference(policy, reference);
        if (sampling.numGenerations() != cfg.numGenerations() || sampling.maxCompletionLength() != cfg.maxCompletionLength())
            throw new IllegalArgumentException("sampler and GRPO configs disagree on G or the completion length");
        this.policy = policy;
        this.reference = reference;
        this.cfg = cfg;
        this.sampling = sampling;
        this.rewards = List.copyOf(rewards);
        this.codec = codec;
        this.params = new ArrayList<>(policy.namedParameters().values());
        for (Tensor p : params) p.requiresGrad(true); // sampling and evaluation run under GradMode.off
        this.opt = new AdamW(params, new AdamWConfig(cfg.learningRate(), 0.9, 0.999, 1e-8, 0.0));
    }

    static void checkReference(CausalLM policy, CausalLM ref) {
        String pa = policy.config().source().modelType(), ra = ref.config().source().modelType();
        if (!pa.equals(ra)) throw new dev.frugal.InvalidSettingException("refModel", "is a " + ra + " but the policy is a " + pa
                + ": the reference must have the policy's architecture");
        if (policy.config().vocabSize() != ref.config().vocabSize())
            throw new dev.frugal.InvalidSettingException("refModel", "has a vocabulary of " + ref.config().vocabSize()
                    + " tokens but the policy has " + policy.config().vocabSize() + ": they must match");
        if (!policy.parameterNames().equals(ref.parameterNames()))
            throw new dev.frugal.UserInputException("--ref-model's parameters differ from the policy's: give a checkpoint of the"
                    + " same model");
        for (String n : policy.parameterNames())
            if (!java.util.Arrays.equals(policy.parameter(n).shape(), ref.parameter(n).shape()))
                throw new dev.frugal.UserInputException("--ref-model's " + n + " has shape "
                        + java.util.Arrays.toString(ref.parameter(n).shape()) + ", the policy's "
                        + java.util.Arrays.toString(policy.parameter(n).shape()));
    }

    public int step() { return step; }

    /** Sets the step counter (resuming from a checkpoint). */
    public void resumeAt(int step) { this.step = step; }

    public LengthPredictor predictor() { return predictor; }

    /** The AdamW learning rate of the next steps (a schedule sets it before each step). */
    public void setLearningRate(double lr) { opt.setLr(lr); }

    /**
     * TRL's {@code lr_scheduler_type="linear"} (its default, no warm-up): the rate of step {@code step} (1-based) of
     * {@code maxSteps} is {@code lr · (maxSteps − step + 1) / maxSteps}, from {@code lr} down to {@code lr / maxSteps}.
     */
    public static double linearSchedule(double lr, int step, int maxSteps) {
        return lr * (maxSteps - step + 1) / (double) maxSteps;
    }

    /**
     * One GRPO step on {@code prompts} (P texts; the batch is P·G completions).
     *
     * @return the step's metrics, in TRL's names where TRL has one
     * @throws RewardException when a reward throws or returns NaN/Inf (the model and optimizer are untouched)
     */
    public Map<String, Object> train(List<String> prompts) {
        int g = cfg.numGenerations();
        List<long[]> ids = new ArrayList<>();
        for (String p : prompts) ids.add(codec.encodePrompt(p));
        GroupSampler.Result sampled;
        try (GradMode off = GradMode.off()) {
            sampled = GroupSampler.sample(policy, ids, sampling.withSeed(sampling.seed() * 1_000_003L + step), predictor);
        }
        List<String> promptPer = new ArrayList<>(), texts = new ArrayList<>();
        List<long[]> promptIdsPer = new ArrayList<>();
        int[] lengths = new int[sampled.completions().size()];
        for (int i = 0; i < lengths.length; i++) {
            Completion c = sampled.completions().get(i);
            promptPer.add(prompts.get(c.prompt()));
            promptIdsPer.add(ids.get(c.prompt()));
            texts.add(codec.decodeCompletion(c.tokens()));
            lengths[i] = c.tokens().length;
        }
        double[][] each = Rewards.scoreEach(rewards, promptPer, texts); // throws before anything changes
        double[] r = new double[texts.size()];
        for (double[] e : each) for (int i = 0; i < r.length; i++) r[i] += e[i];
        double[] adv = Advantages.compute(r, g, cfg.scaleRewards());
        Map<String, Object> m = new LinkedHashMap<>();
        double lossSum = 0, clip = 0, kl = 0;
        try (Scope s = Scope.open()) {
            Batch b = Batch.of(promptIdsPer, sampled.completions(), policy);
            Tensor advT = Tensors.fromDoubles(adv, adv.length).to(DType.F32).to(policy.device());
            Tensor old = null, ref = null;
            try (GradMode off = GradMode.off()) {
                if (cfg.numIterations() > 1) old = tokenLogps(policy, b, cfg.temperature()).detach();
                if (cfg.beta() > 0) ref = tokenLogps(reference, b, cfg.temperature()).detach();
            }
            for (int it = 0; it < cfg.numIterations(); it++) {
                try (Scope inner = Scope.open()) {
                    Tensor logp = tokenLogps(policy, b, cfg.temperature());                 // (B, T−1)
                    GrpoLoss.Parts parts = GrpoLoss.compute(logp, old == null ? logp.detach() : old, ref, advT, b.mask,
                            cfg);
                    double lv = parts.loss().itemDouble();
                    if (!Double.isFinite(lv)) throw new IllegalStateException("GRPO loss is " + lv + " at step "
                            + (step + 1) + ": lower --learning-rate");
                    parts.loss().backward();
                    clipGradNorm(params, MAX_GRAD_NORM);
                    opt.step();
                    for (Tensor p : params) p.clearGrad();
                    lossSum += lv;
                    clip += parts.clipRatio();
                    kl += parts.meanKl();
                }
            }
        }
        step++;
        SamplingStats st = sampled.stats();
        m.put("step", step);
        m.put("reward", mean(r));
        m.put("reward_std", Advantages.std(r, 0, r.length));
        if (rewards.size() > 1) for (int k = 0; k < rewards.size(); k++) m.put("rewards/" + rewards.get(k).name(), mean(each[k]));
        m.put("loss", lossSum / cfg.numIterations());
        m.put("kl", kl / cfg.numIterations());
        m.put("clip_ratio", clip / cfg.numIterations());
        m.put("completions/mean_length", mean(java.util.Arrays.stream(lengths).asDoubleStream().toArray()));
        m.put("sampling", sampling.mode().optionName());
        m.put("sampling/slots", st.slots());
        m.put("sampling/decode_steps", st.decodeSteps());
        m.put("sampling/kv_peak_mb", st.kvPeakBytes() / 1048576.0);
        m.put("sampling/tokens_per_s", st.tokensPerSecond());
        m.put("sampling/grouping", st.grouping());
        if (sampling.mode() == SamplingMode.INFINITE && predictor.observations() > 0) {
            LengthPredictor.Error e = LengthPredictor.error(st.predicted(), lengths);
            m.put("length_predictor/mae", e.mae());
            m.put("length_predictor/spearman", e.spearman());
        }
        predictor.observe(promptIdsPer, lengths);
        return m;
    }

    /** Rescales every gradient so that their joint L2 norm is at most {@code max} (torch's clip_grad_norm_). */
    static double clipGradNorm(List<Tensor> params, double max) {
        double sq = 0;
        for (Tensor p : params) {
            Tensor gr = p.grad();
            if (gr.defined()) sq += gr.square().sum().itemDouble();
        }
        double norm = Math.sqrt(sq), coef = max / (norm + 1e-6);
        if (coef < 1) for (Tensor p : params) if (p.grad().defined()) p.grad().mulInPlace(coef);
        return norm;
    }

    /**
     * Per-token {@code log softmax(logits / T)} of each next token, {@code (B, T−1)}, for the batch's sequences.
     */
    static Tensor tokenLogps(CausalLM model, Batch b, double temperature) {
        Tensor logits = model.logits(b.ids, b.attention, null, null);               // (B, T, V)
        long bs = logits.size(0), t = logits.size(1);
        Tensor lp = NN.logSoftmax(logits.narrow(1, 0, t - 1).div(temperature), 2);  // (B, T−1, V)
        return lp.gather(2, b.targets.unsqueeze(2)).squeeze(2);                     // (B, T−1)
    }

    /** Prompt ++ completion per row, right-padded; the mask marks the positions that predict completion tokens. */
    record Batch(Tensor ids, Tensor attention, Tensor targets, Tensor mask) {
        static Batch of(List<long[]> prompts, List<Completion> completions, CausalLM model) {
            int b = completions.size(), t = 0;
            for (int i = 0; i < b; i++) t = Math.max(t, prompts.get(i).length + completions.get(i).tokens().length);
            long[] ids = new long[b * t], att = new long[b * t], tg = new long[b * (t - 1)];
            float[] mask = new float[b * (t - 1)];
            for (int i = 0; i < b; i++) {
                long[] p = prompts.get(i), c = completions.get(i).tokens();
                for (int j = 0; j < p.length + c.length; j++) {
                    long tok = j < p.length ? p[j] : c[j - p.length];
                    ids[i * t + j] = tok;
                    att[i * t + j] = 1;
                    if (j >= 1) tg[i * (t - 1) + j - 1] = tok;
                    if (j >= p.length) mask[i * (t - 1) + j - 1] = 1;
                }
            }
            return new Batch(Tensors.fromLongs(ids, b, t).to(model.device()), Tensors.fromLongs(att, b, t).to(model.device()),
                    Tensors.fromLongs(tg, b, t - 1).to(model.device()), Tensors.fromFloats(mask, b, t - 1).to(model.device()));
        }
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return x.length == 0 ? Double.NaN : s / x.length;
    }

    /** File name of the optimizer state inside a checkpoint directory. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";

    /**
     * Writes AdamW's moments ({@code exp_avg.i}, {@code exp_avg_sq.i}), its per-parameter step counts and this
     * trainer's step to {@code file}, so that {@link #loadOptimizer} continues the run exactly.
     */
    public void saveOptimizer(java.nio.file.Path file) {
        long[] ps = opt.parameterSteps();
        StringBuilder sb = new StringBuilder();
        for (long x : ps) sb.append(sb.isEmpty() ? "" : ",").append(x);
        dev.frugal.io.SafetensorsWriter.write(file, opt.stateTensors(), Map.of("format", "pt", "parameter_steps",
                sb.toString(), "optimizer_steps", Long.toString(opt.steps()), "grpo_step", Integer.toString(step),
                "optimizer", "adamw"));
    }

    /**
     * Restores what {@link #saveOptimizer} wrote and sets the step counter to the saved step.
     *
     * @throws dev.frugal.UserInputException when the file's state does not fit this policy's parameters
     */
    public void loadOptimizer(java.nio.file.Path file) {
        try (dev.frugal.io.SafetensorsFile f = dev.frugal.io.SafetensorsFile.open(file); Scope s = Scope.open()) {
            Map<String, String> meta = f.metadata();
            String stepsText = meta.getOrDefault("parameter_steps", "");
            long[] ps = stepsText.isEmpty() ? new long[0]
                    : java.util.Arrays.stream(stepsText.split(",")).mapToLong(Long::parseLong).toArray();
            Map<String, Tensor> t = new LinkedHashMap<>();
            for (String n : f.names()) t.put(n, f.tensor(n));
            try {
                opt.loadState(t, ps, Long.parseLong(meta.getOrDefault("optimizer_steps", "0")));
            } catch (IllegalArgumentException e) {
                throw new dev.frugal.UserInputException(file + " does not fit this policy: " + e.getMessage()
                        + ": resume from a checkpoint of the same model");
            }
            step = Integer.parseInt(meta.getOrDefault("grpo_step", "0"));
        }
    }

    @Override
    public void close() { opt.close(); }

    /** For checkpoints: the run's identity a resumed run must share. */
    public Map<String, Object> identity() {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("model_type", policy.config().source().modelType());
        id.put("vocab_size", policy.config().vocabSize());
        id.put("num_generations", cfg.numGenerations());
        id.put("max_completion_length", cfg.maxCompletionLength());
        id.put("loss_type", cfg.lossType().optionName());
        return id;
    }

}
