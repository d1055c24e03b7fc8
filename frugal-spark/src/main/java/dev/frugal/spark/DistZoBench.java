package dev.frugal.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.frugal.zo.ZoRng;
import org.apache.spark.SparkContext;

/**
 * {@code frugal bench dist-zo}: DistZO2 throughput on a real Spark standalone cluster on loopback (a master and four
 * worker JVMs, one core and one thread each), for a single worker, DDP and PertP on 2 workers and DDP and 2D on 4, all
 * at the same global batch. steps/s is the median over the steps after the warm-up, measured by rank 0 from the start
 * of a step's forwards to the end of its exchange (checkpoints excluded); speedups are relative to the single worker.
 * Each mode's step is broken down ({@link StepPhases}): forwards, waiting for the other workers, the exchange's
 * transport, the rest of the step, and Spark's per-run cost spread over the steps.
 */
public final class DistZoBench {
    /**
     * The bench's model and batch: a random OPT written on the spot.
     *
     * @param steps  steps per mode
     * @param warmup steps left out of the median
     */
    public record Shape(String name, RandomOpt model, int batch, int tokens, int steps, int warmup) {
        public Shape {
            if (batch % 4 != 0) throw new IllegalArgumentException("the batch must split into 4 DDP shards");
            if (warmup >= steps) throw new IllegalArgumentException("warm-up " + warmup + " leaves no step of " + steps);
        }
    }

    /** A small OPT (h 256, 4 blocks, V 8192, about 5.3M parameters), batch 16 × 64 tokens, 16 steps. */
    public static final Shape SMALL = new Shape("small", new RandomOpt(8192, 256, 4, 8, 1024, 128), 16, 64, 16, 3);

    /** Seconds: h 128, 2 blocks, V 2048, batch 8 × 32, 8 steps. */
    public static final Shape QUICK = new Shape("quick", new RandomOpt(2048, 128, 2, 4, 512, 64), 8, 32, 8, 2);

    /**
     * A step of seconds (h 512, 6 blocks, V 16384, about 27M parameters; global batch 32 × 128, 8 steps): every
     * replica repeats the perturbation of the whole model (the serial part), so the forwards, which the workers split,
     * must dominate it for a speedup near 2; at 16 × 64 tokens the perturbation is a large share of a step. (At 64 ×
     * 128 the speedups fell again, most likely from the two workers contending for memory: docs/distzo2.md.)
     */
    public static final Shape LARGE = new Shape("large", new RandomOpt(16384, 512, 6, 8, 2048, 128), 32, 128, 8, 2);

    /** The shape named {@code quick}, {@code small} or {@code large}. */
    public static Shape named(String name) {
        return switch (name) {
            case "quick" -> QUICK;
            case "small" -> SMALL;
            case "large" -> LARGE;
            default -> throw new dev.frugal.UserInputException("unknown dist-zo bench size '" + name
                    + "': use quick, small or large");
        };
    }

    /** One mode of the bench: a strategy on a number of workers. */
    record Mode(String key, ParallelMode mode, int workers) {}

    static final List<Mode> MODES = List.of(new Mode("single", ParallelMode.DDP, 1), new Mode("ddp2", ParallelMode.DDP, 2),
            new Mode("pertp2", ParallelMode.PERTP, 2), new Mode("ddp4", ParallelMode.DDP, 4),
            new Mode("2d4", ParallelMode.TWO_D, 4));

    private DistZoBench() {}

    /**
     * Runs the modes {@code repeats} times in turn (single, ddp2, pertp2, ddp4, 2d4, then again) on one cluster under
     * {@code work}, so that a drift of the machine's speed reaches every mode alike, and prints each mode's median
     * steps/s over the runs, the speedups of those medians, every run's own speedups, and the breakdown of each mode's
     * median run; returns the summary JSON line (also printed last).
     *
     * @param repeats   runs of every mode (≥ 1)
     * @param work      where the model, checkpoints and cluster files go, kept; null: a temporary directory, deleted
     *                  afterwards (also when the run fails: up to 1.7 GB)
     * @param classPath the class path the cluster's JVMs run on (this JVM's {@code java.class.path})
     */
    public static String run(Shape s, ZoRng rng, int repeats, Path work, String classPath, PrintWriter out)
            throws java.io.IOException {
        if (repeats < 1) throw new dev.frugal.InvalidSettingException("repeats", "must be >= 1, got " + repeats);
        if (work != null) return runIn(s, rng, repeats, work, classPath, out);
        Path tmp = java.nio.file.Files.createTempDirectory("frugal-dist-zo-bench");
        try {
            return runIn(s, rng, repeats, tmp, classPath, out);
        } finally {
            dev.frugal.io.FileTrees.delete(tmp);
        }
    }

    private static String runIn(Shape s, ZoRng rng, int repeats, Path work, String classPath, PrintWriter out) {
        Path model = s.model().writeTo(work.resolve("model"), 1);
        int maxWorkers = MODES.stream().mapToInt(Mode::workers).max().orElse(1);
        out.printf(Locale.ROOT, "dist-zo bench (%s): random OPT h=%d L=%d V=%d (%.1fM parameters), global batch %d x %d,"
                        + " %d steps (%d warm-up), standalone cluster on 127.0.0.1 with %d workers x 1 core, 1 thread each,"
                        + " on a machine with %d cores; z stream %s; %d run(s) of every mode%n", s.name(), s.model().hidden(),
                s.model().layers(), s.model().vocab(), s.model().parameterCount() / 1e6, s.batch(), s.tokens(), s.steps(),
                s.warmup(), maxWorkers, Runtime.getRuntime().availableProcessors(), rng.name().toLowerCase(Locale.ROOT), repeats);
        out.flush();
        LmBatchSource data = new RandomTokenBatches(11, s.model().vocab(), s.batch(), s.tokens());
        Map<String, List<DistZoResult>> results = new LinkedHashMap<>();
        try (LoopbackCluster cluster = LoopbackCluster.start(work.resolve("spark-home"), classPath, maxWorkers, 1)) {
            DistZoOptions base = DistZoOptions.of(cluster.masterUrl(), 1, ParallelMode.DDP, model.toString(),
                    work.resolve("single").toString(), s.steps()).withHyperparameters(1e-3, 1e-6, 0, 5)
                    .withSparkConf(cluster.appConf());
            SparkContext sc = new SparkContext(DistZoTrainer.sparkConf(base));
            try {
                for (int r = 0; r < repeats; r++) {
                    for (Mode m : MODES) {
                        String dir = r == 0 ? m.key() : m.key() + "-run" + (r + 1); // a fresh run, nothing to resume
                        DistZoResult res = DistZoTrainer.run(sc, new DistZoOptions(base.master(), m.workers(), m.mode(),
                                base.modelDir(), work.resolve(dir).toString(), s.steps(), 0, 1e-3, 1e-6, 0, 5,
                                base.offloadTier(), 1, "F32", null, 1, base.sparkConf(), -1, ScalarTransport.DRIVER_RELAY, rng), data);
                        results.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(res);
                        out.printf(Locale.ROOT, "  %-7s done%s: %.3f s/step%n", m.key(),
                                repeats > 1 ? " (run " + (r + 1) + " of " + repeats + ")" : "", 1 / res.medianStepsPerSecond(s.warmup()));
                        out.flush();
                    }
                }
            } finally {
                sc.stop();
            }
        }
        Map<String, double[]> sps = new LinkedHashMap<>();
        results.forEach((k, runs) -> sps.put(k, runs.stream().mapToDouble(r -> r.medianStepsPerSecond(s.warmup())).toArray()));
        Summary sum = Summary.of(sps);
        out.printf("%n%-8s %10s %12s %10s %14s %10s%s%n", "mode", "steps/s", "s/step", "speedup", "bytes/step", "start-up s",
                repeats > 1 ? "   speedup per run" : "");
        double bytes = 0;
        StringBuilder spsJson = new StringBuilder(), speedups = new StringBuilder(), perRun = new StringBuilder(),
                parts = new StringBuilder();
        for (var e : results.entrySet()) {
            String k = e.getKey();
            DistZoResult r = e.getValue().get(sum.medianRun().get(k));
            double v = sum.stepsPerSecond().get(k);
            bytes = Math.max(bytes, r.bytesPerStep());
            out.printf(Locale.ROOT, "%-8s %10.3f %12.4f %10.2f %14.0f %10.1f%s%n", k, v, 1 / v, sum.speedup().get(k),
                    r.bytesPerStep(), r.setupSeconds(), repeats > 1 ? "   " + format(sum.speedupPerRun().get(k), "%.2f") : "");
            spsJson.append(spsJson.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "\"%s\":%.4f", k, v));
            if (!k.equals("single")) {
                speedups.append(String.format(Locale.ROOT, ",\"speedup_%s\":%.3f", k, sum.speedup().get(k)));
                perRun.append(perRun.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "\"%s\":%s", k,
                        format(sum.speedupPerRun().get(k), "%.3f")));
            }
        }
        out.printf("%nwhere a step's time goes (medians, ms per step; rank 0's view%s):%n",
                repeats > 1 ? ", each mode's median run" : "");
        out.printf("%-8s %9s %9s %9s %9s %9s %9s %9s%n", "mode", "step", "forwards", "slowest", "wait", "transport",
                "rest", "spark");
        for (var e : results.entrySet()) {
            StepPhases.Breakdown b = e.getValue().get(sum.medianRun().get(e.getKey())).phases().breakdown(s.warmup());
            out.printf(Locale.ROOT, "%-8s %9.1f %9.1f %9.1f %9.1f %9.2f %9.2f %9.1f%n", e.getKey(), 1e3 * b.step(),
                    1e3 * b.forwards(), 1e3 * b.slowest(), 1e3 * b.waiting(), 1e3 * b.transport(), 1e3 * b.rest(),
                    1e3 * b.spark());
            parts.append(parts.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "\"%s\":{\"step_s\":%.5f,"
                            + "\"forwards_s\":%.5f,\"slowest_forwards_s\":%.5f,\"wait_s\":%.5f,\"transport_s\":%.6f,"
                            + "\"rest_s\":%.6f,\"spark_per_step_s\":%.5f}", e.getKey(), b.step(), b.forwards(), b.slowest(),
                    b.waiting(), b.transport(), b.rest(), b.spark()));
        }
        out.println("  forwards: the pending update, the perturbations and this worker's forwards; slowest: the slowest"
                + " rank's; wait: rank 0 waiting for the others' lines; transport: the last line's round trip through"
                + " the driver's relay; rest: shard slicing, combining, logging; spark: job submission, barrier"
                + " scheduling, task launch and result collection, spread over the steps (start-up excluded)");
        String json = String.format(Locale.ROOT, "{\"bench\":\"dist-zo\",\"steps_per_s\":{%s}%s,\"speedup_per_run\":{%s},"
                        + "\"repeats\":%d,\"bytes_per_step\":%.0f,\"model\":\"%s\",\"parameters\":%d,\"rng\":\"%s\","
                        + "\"cores\":%d,\"breakdown\":{%s}}", spsJson, speedups, perRun, repeats, bytes, s.name(),
                s.model().parameterCount(), rng.name().toLowerCase(Locale.ROOT), Runtime.getRuntime().availableProcessors(), parts);
        out.println(json);
        out.flush();
        return json;
    }

    private static String format(double[] v, String f) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, f, v[i]));
        return b.append(']').toString();
    }

    /**
     * The bench's figures from every mode's steps/s per run (runs in the order they ran; mode {@code single} the
     * baseline): each mode's median over the runs, its speedup (median over the single worker's median), every run's
     * own speedup (that run's steps/s over the same run's single worker), and which run is the mode's median (the
     * lower middle one for an even count), whose breakdown the bench prints.
     */
    record Summary(Map<String, Double> stepsPerSecond, Map<String, Double> speedup, Map<String, double[]> speedupPerRun,
                   Map<String, Integer> medianRun) {
        static Summary of(Map<String, double[]> sps) {
            double[] single = sps.get("single");
            if (single == null) throw new IllegalArgumentException("no single-worker runs to divide by");
            Map<String, Double> med = new LinkedHashMap<>(), up = new LinkedHashMap<>();
            Map<String, double[]> perRun = new LinkedHashMap<>();
            Map<String, Integer> which = new LinkedHashMap<>();
            for (var e : sps.entrySet()) {
                double[] v = e.getValue();
                if (v.length != single.length)
                    throw new IllegalArgumentException(e.getKey() + " ran " + v.length + " times, single " + single.length);
                int n = v.length;
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) order[i] = i;
                java.util.Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
                med.put(e.getKey(), dev.frugal.Stats.median(v));
                which.put(e.getKey(), order[(n - 1) / 2]);
                double[] r = new double[n];
                for (int i = 0; i < n; i++) r[i] = v[i] / single[i];
                perRun.put(e.getKey(), r);
            }
            med.forEach((k, v) -> up.put(k, v / med.get("single")));
            return new Summary(med, up, perRun, which);
        }
    }

    /**
     * {@code java -cp ... dev.frugal.spark.DistZoBench [--quick | --large] [--parallel-rng] [WORKDIR]} (without WORKDIR
     * a temporary directory, deleted afterwards).
     */
    public static void main(String[] args) throws Exception {
        boolean quick = java.util.Arrays.asList(args).contains("--quick");
        boolean large = java.util.Arrays.asList(args).contains("--large");
        Path work = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).findFirst().map(Path::of).orElse(null);
        ZoRng rng = java.util.Arrays.asList(args).contains("--parallel-rng") ? ZoRng.PARALLEL : ZoRng.MEZO;
        run(quick ? QUICK : large ? LARGE : SMALL, rng, 1, work, System.getProperty("java.class.path"),
                new PrintWriter(System.out, true));
    }
}
