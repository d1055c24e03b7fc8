package dev.frugal.spark.influence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.method.InfluenceMethod;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.LogisticRegression;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.spark.LoopbackCluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scores spread over Spark executors equal the local run's to 1e-6 and to 1e-9 of the scores' size, on local[2] and on a loopback standalone cluster
 * whose executors get frugal only through the jars the application ships.
 */
class SparkInfluenceTest {
    @TempDir
    Path tmp;

    static InfluenceSetup setup(Dataset train) {
        TrainConfig cfg = TrainConfig.fullBatch(SamConfig.sam(0.2), 0.3, 1e-2, 5000, 1e-10).withCheckpointEvery(20);
        TrainedModel tm = SamTrainer.train(new LogisticRegression(train.features(), train.classes()), train, cfg, null,
                null, null);
        return InfluenceSetup.of(tm, train).withConvergence(1e-8, false);
    }

    static double maxDiff(double[][] a, double[][] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
        return d;
    }

    static void compare(SparkContext sc, InfluenceSetup setup, Dataset test, List<Method> methods, int partitions) {
        for (Method m : methods) {
            double[][] local;
            try (InfluenceMethod im = setup.create(m)) {
                local = im.scores(test);
            }
            double[][] spread = SparkInfluence.scores(sc, setup, m, test, partitions);
            assertEquals(local.length, spread.length);
            double d = maxDiff(local, spread);
            System.out.printf("%s on %s, %d partitions: max |local - spark| = %.3g%n", m.cliName(), sc.master(),
                    partitions, d);
            double scale = 0; // the scores' own size: 1e-6 alone would pass scores that are themselves that small
            for (double[] row : local) for (double v : row) scale = Math.max(scale, Math.abs(v));
            assertTrue(scale > 0, m + ": every local score is 0");
            assertTrue(d <= 1e-6 && d <= 1e-9 * scale, m + ": max |local - spark| = " + d + " (scores up to " + scale + ")");
        }
    }

    @Test
    void localMasterMatchesLocalScores() {
        Dataset train = Dataset.blobs(61, 4, 3, 1), test = Dataset.blobs(9, 4, 3, 2);
        InfluenceSetup setup = setup(train);
        SparkContext sc = new SparkContext(SparkInfluence.conf("local[2]"));
        try {
            compare(sc, setup, test, List.of(Method.values()), 3);
        } finally {
            sc.stop();
        }
    }

    @Test
    @Tag("cluster")
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void loopbackStandaloneClusterMatchesLocalScores() {
        Dataset train = Dataset.blobs(50, 3, 2, 3), test = Dataset.blobs(6, 3, 2, 4);
        InfluenceSetup setup = setup(train);
        // A bare cluster (no frugal, no JavaCPP on its executors, like one made from a Spark distribution): the
        // scores come back only if SparkInfluence.conf ships frugal's jars through spark.jars.
        try (LoopbackCluster cluster = LoopbackCluster.startBare(tmp.resolve("spark-home"),
                System.getProperty("java.class.path"), 2, 1)) {
            Map<String, String> conf = new HashMap<>(cluster.appConf());
            assertTrue(!conf.containsKey("spark.executor.extraClassPath"), "a bare cluster adds no class path");
            SparkConf sconf = SparkInfluence.conf(cluster.masterUrl());
            conf.forEach(sconf::set);
            List<String> shipped = List.of(sconf.get("spark.jars").split(","));
            System.out.println("spark.jars: " + shipped);
            assertTrue(shipped.stream().anyMatch(j -> j.contains("frugal-influence")), "frugal-influence shipped");
            assertTrue(shipped.stream().anyMatch(j -> j.contains("pytorch")), "libtorch shipped");
            assertTrue(shipped.stream().noneMatch(j -> j.contains("spark-core")), "Spark itself is not shipped");
            SparkContext sc = new SparkContext(sconf);
            try {
                compare(sc, setup, test, List.of(Method.SAM_HIF, Method.SAM_GIF), 4);
            } finally {
                sc.stop();
            }
        }
    }
}
