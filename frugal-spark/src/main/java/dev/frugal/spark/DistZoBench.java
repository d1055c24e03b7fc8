package dev.frugal.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
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
     * Runs the modes under {@code work} and prints a table and the breakdown; returns the summary JSON line (also
     * printed last).
     *
     * @param classPath the class path the cluster's JVMs run on (this JVM's {@code java.class.path})
     */
    public static String run(Shape s, ZoRng rng, Path work, String classPath, PrintWriter out) {
        Path model = s.model().writeTo(work.resolve("model"), 1);
        int maxWorkers = MODES.stream().mapToInt(Mode::workers).max().orElse(1);
        out.printf(Locale.ROOT, "dist-zo bench (%s): random OPT h=%d L=%d V=%d (%.1fM parameters), global batch %d x %d,"
                        + " %d steps (%d warm-up), standalone cluster on 127.0.0.1 with %d workers x 1 core, 1 thread each,"
                        + " on a machine with %d cores; z stream %s%n", s.name(), s.model().hidden(), s.model().layers(), s.model().vocab(),
                s.model().parameterCount() / 1e6, s.batch(), s.tokens(), s.steps(), s.warmup(), maxWorkers,
                Runtime.getRuntime().availableProcessors(), rng.name().toLowerCase(Locale.ROOT));
        out.flush();
        LmBatchSource data = new RandomTokenBatches(11, s.model().vocab(), s.batch(), s.tokens());
        Map<String, DistZoResult> results = new LinkedHashMap<>();
        try (LoopbackCluster cluster = LoopbackCluster.start(work.resolve("spark-home"), classPath, maxWorkers, 1)) {
            DistZoOptions base = DistZoOptions.of(cluster.masterUrl(), 1, ParallelMode.DDP, model.toString(),
                    work.resolve("single").toString(), s.steps()).withHyperparameters(1e-3, 1e-6, 0, 5)
                    .withSparkConf(cluster.appConf());
            SparkContext sc = new SparkContext(DistZoTrainer.sparkConf(base));
            try {
                for (Mode m : MODES) {
                    results.put(m.key(), DistZoTrainer.run(sc, new DistZoOptions(base.master(), m.workers(), m.mode(),
                            base.modelDir(), work.resolve(m.key()).toString(), s.steps(), 0, 1e-3, 1e-6, 0, 5,
                            base.offloadTier(), 1, "F32", null, 1, base.sparkConf(), -1, ScalarTransport.DRIVER_RELAY, rng), data));
                    out.printf(Locale.ROOT, "  %-7s done: %.3f s/step%n", m.key(),
                            1 / results.get(m.key()).medianStepsPerSecond(s.warmup()));
                    out.flush();
                }
            } finally {
                sc.stop();
            }
        }
        out.printf("%n%-8s %10s %12s %10s %14s %10s%n", "mode", "steps/s", "s/step", "speedup", "bytes/step", "start-up s");
        double single = results.get("single").medianStepsPerSecond(s.warmup());
        double bytes = 0;
        StringBuilder sps = new StringBuilder(), speedups = new StringBuilder(), parts = new StringBuilder();
        for (var e : results.entrySet()) {
            DistZoResult r = e.getValue();
            double v = r.medianStepsPerSecond(s.warmup());
            bytes = Math.max(bytes, r.bytesPerStep());
            out.printf(Locale.ROOT, "%-8s %10.3f %12.4f %10.2f %14.0f %10.1f%n", e.getKey(), v, 1 / v, v / single,
                    r.bytesPerStep(), r.setupSeconds());
            sps.append(sps.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "\"%s\":%.4f", e.getKey(), v));
            if (!e.getKey().equals("single"))
                speedups.append(String.format(Locale.ROOT, ",\"speedup_%s\":%.3f", e.getKey(), v / single));
        }
        out.printf("%nwhere a step's time goes (medians, ms per step; rank 0's view):%n");
        out.printf("%-8s %9s %9s %9s %9s %9s %9s %9s%n", "mode", "step", "forwards", "slowest", "wait", "transport",
                "rest", "spark");
        for (var e : results.entrySet()) {
            StepPhases.Breakdown b = e.getValue().phases().breakdown(s.warmup());
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
        String json = String.format(Locale.ROOT, "{\"bench\":\"dist-zo\",\"steps_per_s\":{%s}%s,\"bytes_per_step\":%.0f,"
                        + "\"model\":\"%s\",\"parameters\":%d,\"rng\":\"%s\",\"cores\":%d,\"breakdown\":{%s}}", sps,
                speedups, bytes, s.name(), s.model().parameterCount(), rng.name().toLowerCase(Locale.ROOT), Runtime.getRuntime().availableProcessors(), parts);
        out.println(json);
        out.flush();
        return json;
    }

    /** {@code java -cp ... dev.frugal.spark.DistZoBench [--quick | --large] [--parallel-rng] [WORKDIR]}. */
    public static void main(String[] args) throws Exception {
        boolean quick = java.util.Arrays.asList(args).contains("--quick");
        boolean large = java.util.Arrays.asList(args).contains("--large");
        Path work = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).findFirst().map(Path::of)
                .orElse(java.nio.file.Files.createTempDirectory("frugal-dist-zo-bench"));
        ZoRng rng = java.util.Arrays.asList(args).contains("--parallel-rng") ? ZoRng.PARALLEL : ZoRng.MEZO;
        run(quick ? QUICK : large ? LARGE : SMALL, rng, work, System.getProperty("java.class.path"), new PrintWriter(System.out, true));
    }
}
