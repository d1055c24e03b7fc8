package dev.frugal.spark;

import dev.frugal.zo.ZoStep;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag$;

/**
 * DistZO2 on Apache Spark: the driver side. Starts (or joins) a SparkContext, opens the replay log, and runs one
 * barrier stage of N long-running tasks ({@link BarrierWorker}). If a task fails, Spark kills its peers and retries
 * the whole barrier stage ({@code spark.stage.maxConsecutiveAttempts}); the new tasks resume from the last checkpoint
 * plus the replay log, so the run ends on the uninterrupted trajectory.
 */
public final class DistZoTrainer {
    /** JVM flags Spark 4 needs on Java 25 (also what executors get through {@code spark.executor.extraJavaOptions}). */
    public static final String JAVA_OPENS = String.join(" ", List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow"));

    private DistZoTrainer() {}

    /**
     * Runs DistZO2 training as {@code o} describes on the batches of {@code data}; the final model is the
     * checkpoint in {@link DistZoResult#finalCheckpoint()}.
     *
     * @throws NonFiniteLossStop     when a step's loss was not finite (every worker stops at that step; the last
     *                                checkpoint is kept)
     * @throws IllegalStateException  when the replay log saw inconsistent records
     */
    public static DistZoResult run(DistZoOptions o, LmBatchSource data) {
        SparkContext sc = SparkContext.getOrCreate(sparkConf(o)); // under spark-submit the master comes from there
        try {
            return run(sc, o, data);
        } finally {
            sc.stop();
        }
    }

    /**
     * Runs on an existing SparkContext (left running: its executors, with libtorch loaded, serve the next run). The
     * context must have been made with {@link #sparkConf}'s executor settings; {@code o.master()} is not used.
     */
    public static DistZoResult run(SparkContext sc, DistZoOptions o, LmBatchSource data) {
        long started = System.nanoTime();
        try (ReplayLog log = ReplayLog.open(Path.of(o.checkpointDir()).resolve("replay.log"), driverAddress(sc))) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
            sc.setJobDescription("frugal DistZO2 " + o.mode().cliName() + " on " + o.workers() + " workers");
            RDD<Integer> ranks = jsc.parallelize(IntStream.range(0, o.workers()).boxed().toList(), o.workers()).rdd();
            List<String> lines = ranks.barrier()
                    .mapPartitions(new BarrierWorker(o, data, log.address()), false, ClassTag$.MODULE$.apply(String.class))
                    // a shuffle after the barrier stage: Spark retries a failed barrier shuffle-map stage, but gives up
                    // on a failed barrier result stage
                    .toJavaRDD().repartition(1).collect();
            if (!log.problems().isEmpty()) throw new IllegalStateException("replay log " + log.file()
                    + " saw inconsistent records (a non-deterministic step?): " + log.problems());
            return parse(lines, (System.nanoTime() - started) / 1e9);
        }
    }

    /** The Spark settings of a run: the barrier stage, executor JVM flags and threads, and the user's extras. */
    public static SparkConf sparkConf(DistZoOptions o) {
        SparkConf c = new SparkConf().setAppName("frugal-distzo2");
        if (o.master() != null) c.setMaster(o.master());
        c.setIfMissing("spark.ui.showConsoleProgress", "false");
        // the parallel z stream sizes its draw threads by the worker's cores, not the machine's (on the 2-core VM a
        // 1-core worker that drew beside its forwards with 2 more threads took 10.8 s a step instead of 8.8:
        // docs/distzo2.md)
        c.setIfMissing("spark.executor.extraJavaOptions", JAVA_OPENS + " -Dorg.bytedeco.javacpp.maxPhysicalBytes=0"
                + " -Dfrugal.cores=" + o.threadsPerWorker());
        c.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", Integer.toString(o.threadsPerWorker()));
        c.setIfMissing("spark.task.maxFailures", "4");
        c.setIfMissing("spark.stage.maxConsecutiveAttempts", "4");
        // executors register a few seconds after start-up (and after a crash): re-check the barrier's slots every
        // second, for up to two minutes, instead of Spark's 15 s interval
        c.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        c.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "120");
        for (Map.Entry<String, String> e : o.sparkConf().entrySet()) c.set(e.getKey(), e.getValue());
        return c;
    }

    private static InetAddress driverAddress(SparkContext sc) {
        String host = sc.getConf().get("spark.driver.host", "127.0.0.1");
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("spark.driver.host '" + host + "' does not resolve: set it to an address"
                    + " the executors can reach", e);
        }
    }

    static DistZoResult parse(List<String> lines, double seconds) {
        List<ZoStep> history = new ArrayList<>();
        Map<Integer, String> digests = new TreeMap<>();
        Path ck = null;
        int attempt = 0;
        long resumed = 0, replayed = 0, bytes = 0;
        double setup = 0, train = 0;
        List<Double> times = new ArrayList<>();
        Map<Integer, List<double[]>> phases = new TreeMap<>();
        for (String l : lines) {
            String[] f = l.split(" ", 2);
            switch (f[0]) {
                case "error" -> throw new NonFiniteLossStop(f[1]);
                case "digest" -> {
                    String[] d = f[1].split(" ");
                    digests.put(Integer.parseInt(d[0]), d[1]);
                }
                case "attempt" -> attempt = Integer.parseInt(f[1]);
                case "resumed" -> {
                    String[] d = f[1].split(" ");
                    resumed = Long.parseLong(d[0]);
                    replayed = Long.parseLong(d[1]);
                }
                case "setup" -> setup = Double.parseDouble(f[1]);
                case "bytes" -> bytes = Long.parseLong(f[1]);
                case "train" -> train = Double.parseDouble(f[1]);
                case "times" -> { for (String x : f[1].split(",")) times.add(Double.parseDouble(x)); }
                case "phases" -> {
                    String[] d = f[1].split(" ");
                    List<double[]> steps = new ArrayList<>();
                    for (String x : d[1].split(",")) {
                        String[] fx = x.split(":");
                        steps.add(new double[] {Double.parseDouble(fx[0]), Double.parseDouble(fx[1])});
                    }
                    phases.put(Integer.parseInt(d[0]), steps);
                }
                case "step" -> history.add(ReplayRecords.parse(f[1]));
                case "checkpoint" -> ck = Path.of(f[1]);
                default -> throw new IllegalStateException("unexpected worker output: " + l);
            }
        }
        history.sort(java.util.Comparator.comparingLong(ZoStep::step));
        long trained = history.size() - Math.max(resumed, replayed);
        return new DistZoResult(history, ck, List.copyOf(digests.values()), attempt, resumed, replayed, setup, seconds,
                trained > 0 ? (double) bytes / trained : 0, trained > 0 ? train / trained : 0, times,
                new StepPhases(times, phases, seconds - setup - train, trained));
    }

    /** A non-finite loss stopped every worker at the same step. */
    public static final class NonFiniteLossStop extends RuntimeException {
        NonFiniteLossStop(String message) { super(message); }
    }
}
