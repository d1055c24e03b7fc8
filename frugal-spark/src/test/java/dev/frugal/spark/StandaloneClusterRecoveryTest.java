package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery on a real Spark standalone cluster on loopback: a master and two worker JVMs started from the Maven class
 * path, one executor per worker (1 core each). An uninterrupted DDP run, then the same run during which one executor
 * process is SIGKILLed once the driver's replay log holds a few steps: Spark retries the barrier stage on a fresh
 * executor, the new tasks load the last checkpoint and replay the log, and the final model is the uninterrupted one.
 */
@Tag("cluster")
class StandaloneClusterRecoveryTest {
    static final int STEPS = 24;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void killedExecutorRecoversOnTheUninterruptedTrajectory() throws Exception {
        LmBatchSource data = new RandomTokenBatches(3, Fixtures.optVocab(), 4, 16);
        try (LoopbackCluster cluster = LoopbackCluster.start(tmp.resolve("spark-home"),
                System.getProperty("java.class.path"), 2, 1)) {
            Map<String, String> conf = new HashMap<>(cluster.appConf());
            DistZoOptions base = DistZoOptions.of(cluster.masterUrl(), 2, ParallelMode.DDP, Fixtures.opt().toString(),
                    tmp.resolve("whole").toString(), STEPS)
                    .withHyperparameters(1e-3, 1e-3, 0.0, 31).withCheckpointEvery(4).withSparkConf(conf);
            long t0 = System.nanoTime();
            org.apache.spark.SparkContext sc = new org.apache.spark.SparkContext(DistZoTrainer.sparkConf(base));
            try {
            DistZoResult whole = DistZoTrainer.run(sc, base, data);
            System.out.printf("cluster uninterrupted: %.1f s (setup %.2f s, %.3f s/step), %.0f bytes/step%n",
                    whole.seconds(), whole.setupSeconds(), whole.secondsPerStep(), whole.bytesPerStep());
            assertEquals(0, whole.stageAttempt());

            DistZoOptions killed = new DistZoOptions(base.master(), 2, ParallelMode.DDP, base.modelDir(),
                    tmp.resolve("killed").toString(), STEPS, 4, 1e-3, 1e-3, 0.0, 31, base.offloadTier(), 1, "F32",
                    null, 1, conf, -1, ScalarTransport.DRIVER_RELAY, base.rng());
            // the executors of the first run serve the second: pick the victim now, kill it without a search later
            java.util.List<ProcessHandle> executors = cluster.executors();
            assertEquals(2, executors.size(), "one executor per worker");
            ProcessHandle target = executors.getLast();
            CompletableFuture<DistZoResult> run = CompletableFuture.supplyAsync(() -> DistZoTrainer.run(sc, killed, data));
            Path log = tmp.resolve("killed").resolve("replay.log");
            Optional<Long> victim = Optional.empty();
            long deadline = System.currentTimeMillis() + 120_000;
            while (victim.isEmpty() && !run.isDone() && System.currentTimeMillis() < deadline) {
                if (Files.exists(log) && Files.readAllLines(log).size() >= 6) {
                    target.destroyForcibly(); // SIGKILL: a crash, not a shutdown
                    victim = Optional.of(target.pid());
                }
                else Thread.sleep(5);
            }
            assertTrue(victim.isPresent(), "no executor was killed: the run ended (or stalled) first");
            int loggedAtKill = Files.readAllLines(log).size();
            DistZoResult r = run.get(3, TimeUnit.MINUTES);
            System.out.printf("cluster killed executor pid %d after %d logged steps: attempt %d resumed from"
                            + " checkpoint %d, replayed to %d, setup %.2f s, %.1f s in all (%.1f s for both runs)%n",
                    victim.get(), loggedAtKill, r.stageAttempt(), r.resumedFrom(), r.replayedTo(), r.setupSeconds(),
                    r.seconds(), (System.nanoTime() - t0) / 1e9);
            assertTrue(r.stageAttempt() >= 1, "the barrier stage was retried");
            assertEquals(whole.history(), r.history(), "step scalars");
            assertEquals(0.0, Fixtures.maxParamDiff(whole.finalCheckpoint(), r.finalCheckpoint()), "final parameters");
            assertTrue(r.replicasIdentical(), "replicas " + r.replicaDigests());
            assertEquals(whole.replicaDigests(), r.replicaDigests());
            } finally {
                sc.stop();
            }
        }
    }
}
