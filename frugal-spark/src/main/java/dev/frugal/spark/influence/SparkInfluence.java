package dev.frugal.spark.influence;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.method.ShardScoring;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.tensor.DType;
import dev.frugal.spark.AppJars;
import dev.frugal.tensor.Threads;
import java.nio.file.Path;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Influence scores of N training examples against M test examples spread over Spark executors: the driver computes
 * the test side once ({@link ShardScoring#testSide}: the inverse-Hessian solve, or the test gradients at each
 * checkpoint) and broadcasts it with the model; the training set is cut into contiguous shards, each executor
 * computes its shard's training gradients and scores ({@link ShardScoring#scoreShard}); the driver stitches the rows
 * back in order. The arithmetic per example is the local run's, so the scores agree with it to rounding.
 */
public final class SparkInfluence {
    private SparkInfluence() {}

    /** What every task needs, broadcast once. */
    record Job(String kind, int features, int hidden, int classes, double rho, boolean adaptive, double eta,
               int microBatch, String method, double[][] thetas, double[] weights, double[][] vectors, int tests,
               String dtype) implements Serializable {
        ShardScoring.TestSide side() {
            return new ShardScoring.TestSide(Method.valueOf(method), thetas, weights, vectors, tests);
        }
    }

    /** One shard of the training set. */
    record Shard(int offset, double[] x, int[] y, int features, List<String> classes) implements Serializable {}

    /** One shard's scores. */
    record Rows(int offset, double[][] scores) implements Serializable {}

    /**
     * A Spark configuration for {@code master} (local[N], spark://host:port) with frugal's defaults. For any master
     * other than {@code local…} the executors run in JVMs of their own, so frugal's jars go with the application:
     * {@code spark.jars} lists {@link AppJars#forClassPath} of this JVM's class path (class directories packed into
     * jars under {@code java.io.tmpdir}), appended to any {@code spark.jars} already set (e.g. by
     * {@code -Dspark.jars=…}).
     */
    public static SparkConf conf(String master) {
        SparkConf c = new SparkConf().setMaster(master).setAppName("frugal-influence").set("spark.ui.enabled", "false");
        if (!master.startsWith("local")) {
            String own = AppJars.sparkJars(AppJars.forClassPath(System.getProperty("java.class.path"),
                    Path.of(System.getProperty("java.io.tmpdir"), "frugal-spark-jars-" + ProcessHandle.current().pid())));
            String user = c.get("spark.jars", "");
            c.set("spark.jars", user.isBlank() ? own : user + "," + own);
        }
        return c;
    }

    /**
     * The {@code (N, M)} scores of {@code method} on {@code test}, computed over {@code partitions} shards.
     *
     * @param partitions shards of the training set (≥ 1; usually the executors' total cores)
     */
    public static double[][] scores(SparkContext sc, InfluenceSetup setup, Method method, Dataset test,
                                    int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        ShardScoring.TestSide side = ShardScoring.testSide(setup, method, test);
        ModelSpec spec = setup.trained().spec();
        SamConfig sam = setup.trained().sam();
        Job job = new Job(spec.kind().name(), spec.features(), spec.hidden(), spec.classes(), sam.rho(),
                sam.adaptive(), sam.adaptiveEta(), sam.microBatch(), method.name(), side.thetas(), side.weights(),
                side.vectors(), side.tests(), setup.dtype().name());
        Dataset train = setup.train();
        int n = train.size(), f = train.features();
        List<Shard> shards = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int lo = (int) ((long) n * p / partitions), hi = (int) ((long) n * (p + 1) / partitions);
            if (hi == lo) continue;
            double[] x = java.util.Arrays.copyOfRange(train.x(), lo * f, hi * f);
            int[] y = java.util.Arrays.copyOfRange(train.y(), lo, hi);
            shards.add(new Shard(lo, x, y, f, new ArrayList<>(train.classNames())));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        Broadcast<Job> b = jsc.broadcast(job);
        try {
            List<Rows> parts = jsc.parallelize(shards, shards.size()).map(s -> score(b.value(), s)).collect();
            double[][] out = new double[n][];
            for (Rows r : parts) System.arraycopy(r.scores(), 0, out, r.offset(), r.scores().length);
            return out;
        } finally {
            b.destroy();
        }
    }

    /** An executor's work: one shard's scores. */
    static Rows score(Job job, Shard s) {
        Threads.configureThisThread(1);
        ModelSpec spec = new ModelSpec(ModelSpec.Kind.valueOf(job.kind()), job.features(), job.hidden(), job.classes());
        SamConfig sam = new SamConfig(job.rho(), job.adaptive(), job.eta(), job.microBatch());
        Dataset shard = new Dataset("shard@" + s.offset(), s.x(), s.y(), s.features(), s.classes(), List.of(), 0);
        return new Rows(s.offset(), ShardScoring.scoreShard(spec, sam, job.side(), shard, DType.valueOf(job.dtype())));
    }
}
