package dev.frugal.influence.experiment;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.method.InfluenceMethod;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Mislabel detection by self-influence (Koh &amp; Liang 2017, §5.4; the paper's mislabel experiment): flip a seeded
 * fraction of the training labels, train with SAM, rank the training examples by each method's self-influence and
 * measure how many flipped labels the top of each ranking holds; then remove or relabel the top-ranked examples,
 * retrain, and measure test accuracy.
 */
public final class Mislabel {
    private Mislabel() {}

    /** Step budget of each retraining after removing or relabelling (warm-started from the noisy model's θ*). */
    public static final int RETRAIN_STEPS = 2000;

    /** The labels with {@code round(fraction · N)} of them changed to another class, and which ones. */
    public record Flip(int[] labels, boolean[] flipped) {}

    /** Flips a seeded {@code fraction} of {@code data}'s labels, each to a uniformly drawn other class. */
    public static Flip flip(Dataset data, double fraction, long seed) {
        int n = data.size(), c = data.classes(), k = (int) Math.round(fraction * n);
        int[] y = data.y().clone();
        boolean[] flipped = new boolean[n];
        try (Rng rng = Rng.seeded("influence-flip", seed); Scope s = Scope.open()) {
            long[] perm = Tensors.randperm(n, rng).toLongArray();
            long[] shift = Tensors.randint(1, c, rng, Math.max(k, 1)).toLongArray();
            for (int i = 0; i < k; i++) {
                int j = (int) perm[i];
                y[j] = (int) ((y[j] + shift[i]) % c);
                flipped[j] = true;
            }
        }
        return new Flip(y, flipped);
    }

    public static MislabelResult run(Dataset train, Dataset test, MislabelConfig cfg,
                                     BiConsumer<String, Integer> progress) {
        Flip flip = flip(train, cfg.flipFraction(), cfg.seed());
        Dataset noisy = train.withLabels(flip.labels()).requireTrainable();
        int n = noisy.size(), k = (int) Math.round(cfg.flipFraction() * n);
        FlatModel model = new ModelSpec(cfg.kind(), train.features(), cfg.hidden(), train.classes()).build();
        TrainConfig tc = cfg.train();
        TrainedModel tm = SamTrainer.train(model, noisy, tc.withCheckpointEvery(cfg.checkpointEvery()), null, null,
                null);
        if (progress != null) progress.accept("train", 1);
        InfluenceSetup setup = InfluenceSetup.of(tm, noisy).withSolver(cfg.solver(), cfg.damping())
                .withConvergence(cfg.maxGradNorm(), cfg.force()).withDtype(tc.dtype());
        Map<Method, Double> auc = new EnumMap<>(Method.class), top10 = new EnumMap<>(Method.class),
                top20 = new EnumMap<>(Method.class), removed = new EnumMap<>(Method.class),
                relabelled = new EnumMap<>(Method.class), ms = new EnumMap<>(Method.class),
                rss = new EnumMap<>(Method.class);
        Map<Method, double[]> curve = new EnumMap<>(Method.class);
        int[] predicted = runnerUp(model, tm.theta(), noisy);
        // the retrainings only measure test accuracy after fixing, warm-started from θ*: a capped budget suffices
        TrainConfig retrain = tc.withCheckpointEvery(0).withMaxSteps(Math.min(tc.maxSteps(), RETRAIN_STEPS));
        int done = 0;
        for (Method m : cfg.methods()) {
            double[] self;
            long t0 = System.nanoTime();
            try (PeakRss peak = PeakRss.start(); InfluenceMethod im = setup.create(m)) {
                self = im.selfInfluence();
                ms.put(m, (System.nanoTime() - t0) / 1e6 / n);
                rss.put(m, peak.megabytes());
            }
            auc.put(m, Stats.auc(self, flip.flipped()));
            top10.put(m, Stats.foundInTop(self, flip.flipped(), 0.10));
            top20.put(m, Stats.foundInTop(self, flip.flipped(), 0.20));
            double[] cv = new double[101];
            for (int p = 0; p <= 100; p++) cv[p] = Stats.foundInTop(self, flip.flipped(), p / 100.0);
            curve.put(m, cv);
            int[] order = Stats.descending(self);
            boolean[] top = new boolean[n];
            for (int i = 0; i < k; i++) top[order[i]] = true;
            int[] keep = java.util.stream.IntStream.range(0, n).filter(i -> !top[i]).toArray();
            TrainedModel r1 = SamTrainer.train(model, noisy.subset(keep), retrain, tm.theta(), null, null);
            removed.put(m, LeaveOneOut.accuracy(model, r1.theta(), test));
            int[] fixedLabels = noisy.y().clone();
            for (int i = 0; i < n; i++) if (top[i]) fixedLabels[i] = predicted[i];
            TrainedModel r2 = SamTrainer.train(model, noisy.withLabels(fixedLabels), retrain, tm.theta(), null, null);
            relabelled.put(m, LeaveOneOut.accuracy(model, r2.theta(), test));
            if (progress != null) progress.accept("methods", ++done);
        }
        TrainedModel clean = SamTrainer.train(model, train, retrain, tm.theta(), null, null);
        return new MislabelResult(k, auc, top10, top20, curve, removed, relabelled, ms, rss,
                LeaveOneOut.accuracy(model, tm.theta(), test), LeaveOneOut.accuracy(model, clean.theta(), test),
                tm.gradNorm());
    }

    /** The model's most likely label for each example other than the one it has. */
    static int[] runnerUp(FlatModel model, double[] theta, Dataset d) {
        try (Scope s = Scope.open()) {
            Tensor th = Tensors.fromDoubles(theta, theta.length);
            double[] logits = model.logits(th, d.xTensor(DType.F64)).contiguous().toDoubleArray();
            int c = d.classes();
            int[] out = new int[d.size()];
            for (int i = 0; i < d.size(); i++) {
                int best = -1;
                for (int j = 0; j < c; j++) {
                    if (j == d.y()[i]) continue;
                    if (best < 0 || logits[i * c + j] > logits[i * c + best]) best = j;
                }
                out[i] = best;
            }
            return out;
        }
    }
}
