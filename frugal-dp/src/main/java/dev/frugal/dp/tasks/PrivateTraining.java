package dev.frugal.dp.tasks;

import dev.frugal.InvalidSettingException;
import dev.frugal.dp.BatchSampler;
import dev.frugal.dp.ClipMode;
import dev.frugal.dp.ClippingAlgorithm;
import dev.frugal.dp.ClippingConfig;
import dev.frugal.dp.DpEngine;
import dev.frugal.dp.DpOptimizer;
import dev.frugal.dp.DpSgd;
import dev.frugal.dp.DpTrainer;
import dev.frugal.dp.RdpAccountant;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import dev.frugal.train.Optimizer;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DP-SGD epoch loop over a {@link DpTask}: Poisson sampling (or shuffled fixed batches), per-layer or flat
 * clipping, σ given or solved for a target ε, RDP accounting, a test evaluation before training and after every epoch.
 * Progress goes to a {@link Listener}; the loop prints nothing.
 */
public final class PrivateTraining {
    /**
     * How to train.
     *
     * @param epochs         passes over the training set (>= 1)
     * @param sampleRate     Poisson rate q, or null when {@code batch} gives it as B/N
     * @param batch          expected (or, with {@code fixedBatches}, exact) batch size B, or null
     * @param fixedBatches   shuffled fixed-size batches instead of Poisson sampling (the accountant's assumption then
     *                       does not hold)
     * @param sigma          noise multiplier σ (> 0), or null to solve it for {@code targetEpsilon}
     * @param targetEpsilon  ε to reach at the end, or null when σ is given
     * @param delta          δ in (0, 1)
     * @param clipMode       per-layer or flat
     * @param algorithm      how per-sample norms are computed
     * @param clip           overall bound C (> 0)
     * @param headClipShare  per-layer clipping: the head's share F of C² in (0, 1), or null for equal bounds
     * @param optimizer      what applies the noisy gradient
     * @param lr             learning rate of the body (> 0)
     * @param headLr         learning rate of the task's head (> 0), or null for {@code lr}
     * @param momentum       SGD momentum in [0, 1)
     * @param weightDecay    AdamW decoupled weight decay (>= 0)
     * @param cosine         cosine learning-rate decay to 0 over the run
     * @param seed           seed of sampling and noise, or null for {@link SecureRandom} (no reproducibility)
     * @param logEvery       report a step every this many steps (>= 1)
     */
    public record Settings(int epochs, Double sampleRate, Integer batch, boolean fixedBatches, Double sigma,
                           Double targetEpsilon, double delta, ClipMode clipMode, ClippingAlgorithm algorithm, double clip,
                           Double headClipShare, DpOptimizer optimizer, double lr, Double headLr, double momentum,
                           double weightDecay, boolean cosine, Long seed, int logEvery) {
        public Settings {
            InvalidSettingException.require(epochs >= 1, "epochs", "must be >= 1, got " + epochs);
            InvalidSettingException.require((sampleRate == null) != (batch == null), "batch",
                    "or sampleRate: give exactly one of them");
            if (sampleRate != null) InvalidSettingException.require(sampleRate > 0 && sampleRate <= 1, "sampleRate",
                    "(q) must be in (0, 1], got " + sampleRate);
            if (batch != null) InvalidSettingException.require(batch >= 1, "batch", "must be >= 1, got " + batch);
            InvalidSettingException.require(!fixedBatches || batch != null, "fixedBatches", "needs a batch size (batch)");
            InvalidSettingException.require((sigma == null) != (targetEpsilon == null), "targetEpsilon",
                    "or sigma: give exactly one of them");
            if (sigma != null) InvalidSettingException.require(sigma > 0 && Double.isFinite(sigma), "sigma",
                    "(the noise multiplier) must be > 0 and finite, got " + sigma + ": without noise DP-SGD releases the"
                            + " clipped gradients in the clear");
            if (targetEpsilon != null) InvalidSettingException.require(targetEpsilon > 0 && Double.isFinite(targetEpsilon),
                    "targetEpsilon", "must be > 0 and finite, got " + targetEpsilon);
            InvalidSettingException.require(delta > 0 && delta < 1, "delta", "(δ) must be in (0, 1), got " + delta);
            InvalidSettingException.require(clip > 0 && Double.isFinite(clip), "clip", "(C) must be > 0 and finite, got " + clip);
            if (headClipShare != null) {
                InvalidSettingException.require(headClipShare > 0 && headClipShare < 1, "headClipShare",
                        "must be in (0, 1), got " + headClipShare);
                InvalidSettingException.require(clipMode == ClipMode.PER_LAYER, "headClipShare", "needs per-layer clipping");
            }
            InvalidSettingException.require(lr > 0 && Double.isFinite(lr), "lr", "must be > 0 and finite, got " + lr);
            if (headLr != null) InvalidSettingException.require(headLr > 0 && Double.isFinite(headLr), "headLr",
                    "must be > 0 and finite, got " + headLr);
            InvalidSettingException.require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
            InvalidSettingException.require(weightDecay >= 0, "weightDecay", "must be >= 0, got " + weightDecay);
            InvalidSettingException.require(logEvery >= 1, "logEvery", "must be >= 1, got " + logEvery);
            java.util.Objects.requireNonNull(clipMode, "clipMode");
            java.util.Objects.requireNonNull(algorithm, "algorithm");
            java.util.Objects.requireNonNull(optimizer, "optimizer");
        }
    }

    /** What the run will do, known once the task is loaded: reported before the first step. */
    public record Plan(double sampleRate, double expectedBatchSize, long steps, long stepsPerEpoch, double sigma,
                       double sensitivity, ClippingConfig clipping, String update, String warning) {}

    /** One reported step: the mean training loss over the epoch's non-empty batches so far. */
    public record StepReport(long step, int epoch, long stepInEpoch, long batchSize, double meanLoss, double epsilon) {}

    /** What the run ends with. */
    public record Result(DpTask.Evaluation finalEvaluation, double epsilon, double delta, long steps, double majorityBaseline) {}

    /** Progress callbacks (all optional). */
    public interface Listener {
        default void onPlan(Plan plan) {}

        default void onStep(StepReport s) {}

        /** An evaluation on the test set: epoch 0 is before training. */
        default void onEval(int epoch, long step, double epsilon, DpTask.Evaluation e, double epochSeconds) {}
    }

    private PrivateTraining() {}

    /**
     * Trains {@code task} privately. Every generator it uses (sampling; noise from the seed, or from
     * {@link SecureRandom} without one) is created and closed here.
     *
     * @throws InvalidSettingException when the batch exceeds the training set, or {@code headClipShare} is given for
     *                                 a task without both a head and a trained body
     */
    public static Result run(DpTask task, Settings s, Listener listener) {
        long n = task.trainSize();
        if (s.batch() != null && s.batch() > n) throw new InvalidSettingException("batch", "(" + s.batch()
                + ") exceeds the " + n + " training examples: choose at most " + n);
        long baseSeed = s.seed() != null ? s.seed() : new SecureRandom().nextLong();
        try (Rng sampleRng = Rng.seeded("sampling", baseSeed);
             Rng noiseRng = s.seed() != null ? Rng.seeded("dp-noise", baseSeed + 1) : DpSgd.secureNoise()) {
            BatchSampler sampler = s.fixedBatches() ? BatchSampler.shuffled(n, s.batch(), sampleRng)
                    : BatchSampler.poisson(n, s.sampleRate() != null ? s.sampleRate() : (double) s.batch() / n, sampleRng);
            long totalSteps = s.epochs() * sampler.stepsPerEpoch();
            double sigma = s.sigma() != null ? s.sigma()
                    : RdpAccountant.noiseMultiplier(s.targetEpsilon(), s.delta(), sampler.sampleRate(), totalSteps);
            ClippingConfig clipCfg = withHeadShare(new ClippingConfig(s.clipMode(), s.algorithm(), s.clip(), Map.of()), s, task);
            DpEngine engine = new DpEngine(task.trainable(), clipCfg);
            RdpAccountant accountant = new RdpAccountant();
            DpSgd opt = new DpSgd(task.trainable(), sigma, sampler.sampleRate(), sampler.expectedBatchSize(), accountant,
                    noiseRng, updateGroups(task, s));
            DpTrainer trainer = new DpTrainer(engine, opt, sampler, task::perSampleLoss);
            listener.onPlan(new Plan(sampler.sampleRate(), sampler.expectedBatchSize(), totalSteps, sampler.stepsPerEpoch(),
                    sigma, engine.sensitivity(), clipCfg, describeUpdate(opt), sampler.warning()));
            DpTask.Evaluation ev = task.evaluate();
            listener.onEval(0, 0, 0, ev, 0);
            long step = 0;
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                long t0 = System.nanoTime();
                double lossSum = 0;
                long lossN = 0;
                for (long k = 0; k < sampler.stepsPerEpoch(); k++) {
                    if (s.cosine()) opt.setLearningRateScale(0.5 * (1 + Math.cos(Math.PI * step / totalSteps)));
                    DpTrainer.StepResult r = trainer.step();
                    step++;
                    if (r.batchSize() > 0) {
                        lossSum += r.meanLoss();
                        lossN++;
                    }
                    if (step % s.logEvery() == 0 || k == sampler.stepsPerEpoch() - 1)
                        listener.onStep(new StepReport(step, epoch, k + 1, r.batchSize(),
                                lossN == 0 ? Double.NaN : lossSum / lossN, accountant.epsilon(s.delta())));
                }
                ev = task.evaluate();
                listener.onEval(epoch, step, accountant.epsilon(s.delta()), ev, (System.nanoTime() - t0) / 1e9);
            }
            return new Result(ev, accountant.epsilon(s.delta()), s.delta(), step, task.majorityBaseline());
        }
    }

    /**
     * The optimizers that apply the noisy gradient: one over the task's body at {@code lr}, one over its head at
     * {@code headLr}.
     */
    private static List<DpSgd.UpdateGroup> updateGroups(DpTask t, Settings s) {
        double hLr = s.headLr() != null ? s.headLr() : s.lr();
        List<String> body = new ArrayList<>(), head = new ArrayList<>();
        t.trainable().keySet().forEach(n -> (t.headParameters().contains(n) ? head : body).add(n));
        List<DpSgd.UpdateGroup> groups = new ArrayList<>();
        if (!body.isEmpty()) groups.add(group(s, body, s.lr(), t));
        if (!head.isEmpty()) groups.add(group(s, head, hLr, t));
        return groups;
    }

    private static DpSgd.UpdateGroup group(Settings s, List<String> names, double groupLr, DpTask t) {
        List<Tensor> ps = names.stream().map(n -> t.trainable().get(n).requiresGrad(true)).toList();
        Optimizer o = switch (s.optimizer()) {
            case ADAMW -> new AdamW(ps, new AdamWConfig(groupLr, 0.9, 0.999, 1e-8, s.weightDecay()));
            case SGD -> new Sgd(ps, SgdConfig.momentum(groupLr, s.momentum()));
        };
        return new DpSgd.UpdateGroup(names, o);
    }

    private static String describeUpdate(DpSgd opt) {
        StringBuilder b = new StringBuilder("update:");
        for (DpSgd.UpdateGroup g : opt.groups())
            b.append(String.format(java.util.Locale.ROOT, " %s lr %.3g over %d tensors;",
                    g.optimizer().getClass().getSimpleName(), g.optimizer().lr(), g.names().size()));
        return b.substring(0, b.length() - 1);
    }

    /**
     * Per-layer bounds with the head's share F of the sensitivity budget: head tensors {@code C·√(F/H)}, the other
     * {@code L−H} tensors {@code C·√((1−F)/(L−H))}, so {@code √(Σ C_l²) = C} still.
     */
    private static ClippingConfig withHeadShare(ClippingConfig c, Settings s, DpTask t) {
        if (s.headClipShare() == null) return c;
        List<String> head = new ArrayList<>(), body = new ArrayList<>();
        t.trainable().keySet().forEach(n -> (t.headParameters().contains(n) ? head : body).add(n));
        if (head.isEmpty() || body.isEmpty())
            throw new InvalidSettingException("headClipShare", "needs a task with a head and a trained body (spam with"
                    + " at least one trainable block)");
        double f = s.headClipShare();
        return c.withEveryLayerBound(head, s.clip() * Math.sqrt(f / head.size()))
                .withEveryLayerBound(body, s.clip() * Math.sqrt((1 - f) / body.size()));
    }
}
