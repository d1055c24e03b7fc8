package dev.frugal.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkContext;

/**
 * {@code frugal bench dist-zo}: DistZO2 throughput on a real Spark standalone cluster on loopback (a master and two
 * worker JVMs, one core and one thread each), for a single worker, DDP on 2 workers and PertP on 2 workers, all at the
 * same global batch. steps/s is the median over the steps after the warm-up, measured by rank 0 from the start of a
 * step's forwards to the end of its exchange (checkpoints excluded); speedups are relative to the single worker.
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
            if (batch % 2 != 0) throw new IllegalArgumentException("the batch must split into 2 DDP shards");
            if (warmup >= steps) throw new IllegalArgumentException("warm-up " + warmup + " leaves no step of " + steps);
        }
    }

    /** A small OPT (h 256, 4 blocks, V 8192, about 5.3M parameters), batch 16 × 64 tokens, 16 steps. */
    public static final Shape SMALL = new Shape("small", new RandomOpt(8192, 256, 4, 8, 1024, 128), 16, 64, 16, 3);

    /** Seconds: h 128, 2 blocks, V 2048, batch 8 × 32, 8 steps. */
    public static final Shape QUICK = new Shape("quick", new RandomOpt(2048, 128, 2, 4, 512, 64), 8, 32, 8, 2);

    private DistZoBench() {}

    /**
     * Runs the three modes under {@code work} and prints a table; returns the summary JSON line (also printed last).
     *
     * @param classPath the class path the cluster's JVMs run on (this JVM's {@code java.class.path})
     */
    public static String run(Shape s, Path work, String classPath, PrintWriter out) {
        Path model = s.model().writeTo(work.resolve("model"), 1);
        out.printf(Locale.ROOT, "dist-zo bench (%s): random OPT h=%d L=%d V=%d (%.1fM parameters), global batch %d x %d,"
                        + " %d steps (%d warm-up), standalone cluster on 127.0.0.1 with 2 workers x 1 core, 1 thread each%n",
                s.name(), s.model().hidden(), s.model().layers(), s.model().vocab(), s.model().parameterCount() / 1e6,
                s.batch(), s.tokens(), s.steps(), s.warmup());
        out.flush();
        LmBatchSource data = new RandomTokenBatches(11, s.model().vocab(), s.batch(), s.tokens());
        Map<String, DistZoResult> results = new LinkedHashMap<>();
        try (LoopbackCluster cluster = LoopbackCluster.start(work.resolve("spark-home"), classPath, 2, 1)) {
            DistZoOptions base = DistZoOptions.of(cluster.masterUrl(), 1, ParallelMode.DDP, model.toString(),
                    work.resolve("single").toString(), s.steps()).withHyperparameters(1e-3, 1e-6, 0, 5)
                    .withSparkConf(cluster.appConf());
            SparkContext sc = new SparkContext(DistZoTrainer.sparkConf(base));
            try {
                results.put("single", DistZoTrainer.run(sc, base, data));
                results.put("ddp2", DistZoTrainer.run(sc, new DistZoOptions(base.master(), 2, ParallelMode.DDP,
                        base.modelDir(), work.resolve("ddp2").toString(), s.steps(), 0, 1e-3, 1e-6, 0, 5,
                        base.offloadTier(), 1, "F32", null, 1, base.sparkConf(), -1, ScalarTransport.DRIVER_RELAY), data));
                results.put("pertp2", DistZoTrainer.run(sc, new DistZoOptions(base.master(), 2, ParallelMode.PERTP,
                        base.modelDir(), work.resolve("pertp2").toString(), s.steps(), 0, 1e-3, 1e-6, 0, 5,
                        base.offloadTier(), 1, "F32", null, 1, base.sparkConf(), -1, ScalarTransport.DRIVER_RELAY), data));
            } finally {
                sc.stop();
            }
        }
        out.printf("%-8s %10s %12s %10s %14s %10s%n", "mode", "steps/s", "s/step", "speedup", "bytes/step", "start-up s");
        double single = results.get("single").medianStepsPerSecond(s.warmup());
        double bytes = 0;
        StringBuilder sps = new StringBuilder();
        for (var e : results.entrySet()) {
            DistZoResult r = e.getValue();
            double v = r.medianStepsPerSecond(s.warmup());
            bytes = Math.max(bytes, r.bytesPerStep());
            out.printf(Locale.ROOT, "%-8s %10.3f %12.4f %10.2f %14.0f %10.1f%n", e.getKey(), v, 1 / v, v / single,
                    r.bytesPerStep(), r.setupSeconds());
            sps.append(sps.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "\"%s\":%.4f", e.getKey(), v));
        }
        String json = String.format(Locale.ROOT, "{\"bench\":\"dist-zo\",\"steps_per_s\":{%s},\"speedup_ddp2\":%.3f,"
                        + "\"speedup_pertp2\":%.3f,\"bytes_per_step\":%.0f,\"model\":\"%s\",\"parameters\":%d}", sps,
                results.get("ddp2").medianStepsPerSecond(s.warmup()) / single,
                results.get("pertp2").medianStepsPerSecond(s.warmup()) / single, bytes, s.name(),
                s.model().parameterCount());
        out.println(json);
        out.flush();
        return json;
    }

    /** {@code java -cp ... dev.frugal.spark.DistZoBench [--quick] [WORKDIR]}. */
    public static void main(String[] args) throws Exception {
        boolean quick = java.util.Arrays.asList(args).contains("--quick");
        Path work = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).findFirst().map(Path::of)
                .orElse(java.nio.file.Files.createTempDirectory("frugal-dist-zo-bench"));
        run(quick ? QUICK : SMALL, work, System.getProperty("java.class.path"), new PrintWriter(System.out, true));
    }
}
