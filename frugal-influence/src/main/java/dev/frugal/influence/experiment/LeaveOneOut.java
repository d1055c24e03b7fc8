package dev.frugal.influence.experiment;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.data.Split;
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
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The check against the truth: train θ* with SAM, retrain without each of {@code removals} training examples
 * (warm-started from θ*, to the same convergence tolerance) and compare the actual change of the mean test loss with
 * each method's prediction; then the linear datamodeling score (Park et al. 2023, TRAK): retrain on random subsets
 * and correlate, per test example, the summed predicted effect of the left-out examples with the actual loss change.
 */
public final class LeaveOneOut {
    private LeaveOneOut() {}

    /** Runs the check on {@code split}; {@code progress} gets (phase, done). */
    public static LooResult run(Split split, LooConfig cfg, BiConsumer<String, Integer> progress) {
        if (cfg.removals() > split.train().size()) throw new dev.frugal.InvalidSettingException("removals", "" + cfg.removals()
                + " exceeds the " + split.train().size() + " training examples");
        Dataset train = split.train().requireTrainable(), test = split.test();
        FlatModel model = new ModelSpec(cfg.kind(), train.features(), cfg.hidden(), train.classes()).build();
        TrainConfig tc = cfg.train().withCheckpointEvery(cfg.checkpointEvery());
        TrainedModel tm = SamTrainer.train(model, train, tc, null, null, null);
        TrainConfig retrain = cfg.train().withCheckpointEvery(0);
        InfluenceSetup setup = InfluenceSetup.of(tm, train).withSolver(cfg.solver(), cfg.damping())
                .withConvergence(Math.max(cfg.train().tolerance() * 10, 1e-12), false);

        int n = train.size();
        int[] removed = choose(n, cfg.removals(), cfg.seed());
        Map<Method, double[]> predicted = new EnumMap<>(Method.class);
        Map<Method, double[][]> ldsScores = new EnumMap<>(Method.class);
        Map<Method, Double> ms = new EnumMap<>(Method.class), rss = new EnumMap<>(Method.class);
        Dataset ldsTest = test.subset(firstK(test.size(), cfg.ldsTest()));
        for (Method m : cfg.methods()) {
            long t0 = System.nanoTime();
            try (PeakRss peak = PeakRss.start(); InfluenceMethod im = setup.create(m)) {
                double[] all1 = im.meanTestScores(test);
                ms.put(m, (System.nanoTime() - t0) / 1e6 / n);
                rss.put(m, peak.megabytes());
                double[] p = new double[removed.length];
                for (int k = 0; k < removed.length; k++) p[k] = all1[removed[k]];
                predicted.put(m, p);
                if (cfg.ldsSubsets() > 0) ldsScores.put(m, im.scores(ldsTest));
            }
        }

        double base = meanLoss(model, tm.theta(), test);
        double[] actual = new double[removed.length];
        double worst = 0;
        for (int k = 0; k < removed.length; k++) {
            TrainedModel r = SamTrainer.train(model, train.without(removed[k]), retrain, tm.theta(), null, null);
            worst = Math.max(worst, r.gradNorm());
            actual[k] = meanLoss(model, r.theta(), test) - base;
            if (progress != null) progress.accept("leave-one-out", k + 1);
        }
        Map<Method, Double> pearson = new EnumMap<>(Method.class), spearman = new EnumMap<>(Method.class);
        for (Method m : cfg.methods()) {
            pearson.put(m, Stats.pearson(predicted.get(m), actual));
            spearman.put(m, Stats.spearman(predicted.get(m), actual));
        }

        Map<Method, Double> lds = new EnumMap<>(Method.class);
        for (Method m : cfg.methods()) lds.put(m, Double.NaN);
        if (cfg.ldsSubsets() > 0) {
            int keep = (int) Math.round(cfg.ldsFraction() * n);
            double[] baseLosses = losses(model, tm.theta(), ldsTest);
            double[][] actualLds = new double[cfg.ldsSubsets()][];
            boolean[][] kept = new boolean[cfg.ldsSubsets()][n];
            try (Rng rng = Rng.seeded("influence-lds", cfg.seed())) {
                for (int s = 0; s < cfg.ldsSubsets(); s++) {
                    long[] perm;
                    try (Scope sc = Scope.open()) {
                        perm = Tensors.randperm(n, rng).toLongArray();
                    }
                    int[] idx = new int[keep];
                    for (int i = 0; i < keep; i++) {
                        idx[i] = (int) perm[i];
                        kept[s][idx[i]] = true;
                    }
                    Arrays.sort(idx);
                    TrainedModel r = SamTrainer.train(model, train.subset(idx), retrain, tm.theta(), null, null);
                    worst = Math.max(worst, r.gradNorm());
                    double[] l = losses(model, r.theta(), ldsTest);
                    for (int t = 0; t < l.length; t++) l[t] -= baseLosses[t];
                    actualLds[s] = l;
                    if (progress != null) progress.accept("lds", s + 1);
                }
            }
            for (Method m : cfg.methods()) {
                double[][] sc = ldsScores.get(m);
                double sum = 0;
                int count = 0;
                for (int t = 0; t < ldsTest.size(); t++) {
                    double[] pred = new double[cfg.ldsSubsets()], act = new double[cfg.ldsSubsets()];
                    for (int s = 0; s < cfg.ldsSubsets(); s++) {
                        for (int i = 0; i < n; i++) if (!kept[s][i]) pred[s] += sc[i][t];
                        act[s] = actualLds[s][t];
                    }
                    double r = Stats.spearman(pred, act);
                    if (Double.isFinite(r)) {
                        sum += r;
                        count++;
                    }
                }
                lds.put(m, count == 0 ? Double.NaN : sum / count);
            }
        }
        return new LooResult(removed, actual, predicted, pearson, spearman, lds, ms, rss, tm.gradNorm(), worst,
                accuracy(model, tm.theta(), test));
    }

    static int[] choose(int n, int k, long seed) {
        try (Scope s = Scope.open()) {
            long[] perm;
            try (Rng rng = Rng.seeded("influence-removals", seed)) {
                perm = Tensors.randperm(n, rng).toLongArray();
            }
            int[] out = new int[k];
            for (int i = 0; i < k; i++) out[i] = (int) perm[i];
            return out;
        }
    }

    static int[] firstK(int n, int k) {
        int[] out = new int[Math.min(n, k)];
        for (int i = 0; i < out.length; i++) out[i] = i;
        return out;
    }

    /** Per-example losses {@code (M)} at θ. */
    public static double[] losses(FlatModel model, double[] theta, Dataset d) {
        try (Scope s = Scope.open()) {
            Tensor th = Tensors.fromDoubles(theta, theta.length);
            return FlatModel.crossEntropy(model.logits(th, d.xTensor(DType.F64)), d.yTensor()).toDoubleArray();
        }
    }

    public static double meanLoss(FlatModel model, double[] theta, Dataset d) {
        return Arrays.stream(losses(model, theta, d)).average().orElseThrow();
    }

    public static double accuracy(FlatModel model, double[] theta, Dataset d) {
        try (Scope s = Scope.open()) {
            Tensor th = Tensors.fromDoubles(theta, theta.length);
            Tensor pred = model.logits(th, d.xTensor(DType.F64)).argmax(1, false);
            return pred.eq(d.yTensor()).to(DType.F64).mean().itemDouble();
        }
    }
}
