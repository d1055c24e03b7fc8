package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.zo.OffloadTier;
import java.nio.file.Path;
import dev.frugal.zo.ZoRng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery on {@code local[2]}: a worker fails before step 3 in the stage's first attempt; Spark retries the barrier
 * stage, the new tasks load checkpoint step 2, replay step 2 from the driver's log without a forward pass, and finish
 * on the uninterrupted run's trajectory bit for bit, with bf16 blocks streamed through a host tier (so the replay
 * reproduces the storage rounding too), on either z stream.
 */
class DistZoRecoveryTest {
    @TempDir
    Path tmp;

    DistZoOptions options(String name, ZoRng rng) {
        return DistZoOptions.of("local[2]", 2, ParallelMode.DDP, Fixtures.opt().toString(), tmp.resolve(name).toString(), 6)
                .withHyperparameters(1e-3, 1e-3, 0.0, 23).withCheckpointEvery(2)
                .withOffload(OffloadTier.HOST, 1, "BF16", null).withSparkConf(Fixtures.loopbackConf()).withRng(rng);
    }

    @ParameterizedTest
    @EnumSource(ZoRng.class)
    void failedWorkerResumesFromCheckpointAndLogOnTheSameTrajectory(ZoRng rng) {
        LmBatchSource data = new RandomTokenBatches(9, Fixtures.optVocab(), 4, 16);
        DistZoResult whole = DistZoTrainer.run(options("whole", rng), data);
        DistZoResult failed = DistZoTrainer.run(options("failed", rng).withFailAtStep(3), data);
        System.out.printf("recovery (" + rng + "): attempt %d resumed from checkpoint %d, replayed to %d, setup %.2f s, %.1f s%n",
                failed.stageAttempt(), failed.resumedFrom(), failed.replayedTo(), failed.setupSeconds(), failed.seconds());
        assertEquals(0, whole.stageAttempt());
        assertTrue(failed.stageAttempt() >= 1, "the barrier stage was retried");
        assertEquals(2, failed.resumedFrom(), "the retry loaded checkpoint step 2");
        assertEquals(3, failed.replayedTo(), "and replayed the logged step 2");
        assertEquals(whole.history(), failed.history(), "step scalars");
        assertEquals(0.0, Fixtures.maxParamDiff(whole.finalCheckpoint(), failed.finalCheckpoint()), "final parameters");
        assertEquals(whole.replicaDigests(), failed.replicaDigests());
    }
}
