package dev.frugal.depth;

import dev.frugal.depth.net.DepthPoseModel;
import dev.frugal.depth.net.ModelConfig;
import dev.frugal.depth.sim.SequenceGenerator;
import dev.frugal.depth.sim.SimConfig;
import dev.frugal.depth.sim.VibrationIntensity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/** Runs {@link ExperimentConfig}: render, train both models per seed, evaluate; reports each run as it finishes. */
public final class DepthExperiment {
    private DepthExperiment() {}

    /** One trained-and-evaluated model. */
    public record Run(VibrationIntensity intensity, boolean vibration, long seed, DepthMetrics depth, TrajectoryMetrics trajectory,
                      double trainSecondsPerEpoch, double finalLoss, DepthEvaluator.Result sample, Sequence sampleSequence) {}

    /** Progress callbacks. */
    public interface Listener {
        void rendered(VibrationIntensity intensity, int sequences, double msPerFrame);

        void step(VibrationIntensity intensity, boolean vibration, long seed, DepthTrainer.Step step, long totalSteps);

        void finished(Run run);

        /** The depth errors of a flat (constant) prediction on this intensity's test sequences: what learning nothing scores. */
        default void flatBaseline(VibrationIntensity intensity, DepthMetrics flat) {}
    }

    public static List<Run> run(ExperimentConfig cfg, ForkJoinPool renderPool, Listener listener) {
        List<Run> runs = new ArrayList<>();
        for (VibrationIntensity vi : cfg.intensities()) {
            List<Sequence> train = new ArrayList<>(), test = new ArrayList<>();
            double ms = 0;
            int n = cfg.trainSequences() + cfg.testSequences();
            for (int i = 0; i < n; i++) {
                long seed = cfg.dataSeed() * 1000 + i; // the same tubes and trajectories at every intensity
                SequenceGenerator.Generated g = SequenceGenerator.generate(vi.cliName() + "-" + i,
                        SimConfig.of(cfg.width(), cfg.height(), cfg.frames(), vi, seed), renderPool);
                ms += g.renderMsPerFrame() / n;
                (i < cfg.trainSequences() ? train : test).add(g.sequence());
            }
            listener.rendered(vi, n, ms);
            listener.flatBaseline(vi, flat(test, ModelConfig.small(cfg.height(), cfg.width(), false)));
            Snippets data = new Snippets(train);
            for (boolean vib : new boolean[] {false, true}) {
                for (long seed : cfg.seeds()) {
                    ModelConfig mc = ModelConfig.small(cfg.height(), cfg.width(), vib);
                    TrainConfig tc = TrainConfig.of(cfg.epochs(), cfg.batchSize(), seed);
                    try (DepthPoseModel model = new DepthPoseModel(mc, seed); DepthTrainer tr = new DepthTrainer(model, tc, data, train.get(0).intrinsics())) {
                        double[] last = {Double.NaN};
                        long t0 = System.nanoTime();
                        tr.train(st -> {
                            last[0] = st.loss();
                            listener.step(vi, vib, seed, st, tr.totalSteps());
                        }, null);
                        double perEpoch = (System.nanoTime() - t0) / 1e9 / cfg.epochs();
                        List<DepthMetrics> dm = new ArrayList<>();
                        List<Double> ate = new ArrayList<>(), rpeT = new ArrayList<>(), rpeR = new ArrayList<>(), sc = new ArrayList<>();
                        DepthEvaluator.Result sample = null;
                        for (Sequence q : test) {
                            DepthEvaluator.Result r = DepthEvaluator.evaluate(model, q, q.frames() / 2);
                            if (sample == null) sample = r;
                            dm.add(r.depth());
                            ate.add(r.trajectory().ate());
                            rpeT.add(r.trajectory().rpeTrans());
                            rpeR.add(r.trajectory().rpeRotDeg());
                            sc.add(r.trajectory().scale());
                        }
                        TrajectoryMetrics tm = new TrajectoryMetrics(mean(ate), mean(rpeT), mean(rpeR), mean(sc));
                        Run run = new Run(vi, vib, seed, DepthMetrics.mean(dm), tm, perEpoch, last[0], sample, test.get(0));
                        runs.add(run);
                        listener.finished(run);
                    }
                }
            }
        }
        return runs;
    }

    /** Depth metrics of a constant map (median-scaled, so any constant) over every frame of {@code test}. */
    public static DepthMetrics flat(List<Sequence> test, ModelConfig mc) {
        List<DepthMetrics> dm = new ArrayList<>();
        for (Sequence q : test) {
            float[] one = new float[q.width() * q.height()];
            java.util.Arrays.fill(one, 1f);
            for (float[] gt : q.depth()) dm.add(DepthMetrics.of(one, gt, mc.minDepth(), mc.maxDepth(), true));
        }
        return DepthMetrics.mean(dm);
    }

    static double mean(List<Double> xs) { return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN); }

    /** Mean and sample standard deviation. */
    public static double[] meanSd(List<Double> xs) {
        double m = mean(xs), s = 0;
        for (double x : xs) s += (x - m) * (x - m);
        return new double[] {m, xs.size() > 1 ? Math.sqrt(s / (xs.size() - 1)) : 0};
    }
}
