package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.InvalidSettingException;
import dev.frugal.io.FrugalIoException;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints under faults: a disk that fills up mid-write (injected: the writer leaves a partial file and fails as a
 * memory-mapped write on a full disk does, with {@link InternalError}), retention ({@code saveTotalLimit}), and a
 * damaged latest checkpoint.
 */
class CheckpointFaultTest {
    @TempDir
    Path tmp;

    private static List<String> names(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Trains {@code steps} steps with a checkpoint after each, keeping at most {@code keep} (0 = all). */
    private void train(Path root, long steps, int keep) {
        try (CausalLM m = Models.loadCausalLM(dev.frugal.model.Fixtures.dir("opt"), Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), ResumeTest.HP, OffloadConfig.inMemory())) {
            new ZoTrainer<>(m, e, ResumeTest.data(m.config().vocabSize()), new ZoTrainer.Settings(steps, 0, 1, root, keep), null, null)
                    .run(ZoTrainer.fresh(ResumeTest.HP, e.offload()));
        }
    }

    @Test
    void fullDiskRemovesThePartialCheckpointAndKeepsTheLastGoodOne() throws Exception {
        Path root = tmp.resolve("ck");
        train(root, 2, 0);
        Path good = ZoCheckpoint.latest(root).orElseThrow();
        ZoCheckpoint.TensorFileWriter fullDisk = (file, layout, meta, fill) -> {
            try {
                Files.write(file, new byte[4096]); // part of the file made it to disk
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new InternalError("a fault occurred in an unsafe memory access operation");
        };
        try (CausalLM m = Models.loadCausalLM(good, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), ResumeTest.HP, OffloadConfig.inMemory())) {
            TrainerState s2 = ZoCheckpoint.readState(good);
            List<ZoStep> h = new java.util.ArrayList<>(s2.history());
            h.add(new ZoStep(2, 1, 1, 1, 0, ResumeTest.HP.lr()));
            TrainerState s3 = new TrainerState(TrainerState.FORMAT, 3, s2.runSeed(), s2.eps(), s2.lr(), s2.weightDecay(),
                    s2.storage(), h);
            FrugalIoException ex = assertThrows(FrugalIoException.class,
                    () -> ZoCheckpoint.save(root, m, e, s3, fullDisk));
            assertTrue(ex.getMessage().contains("last good checkpoint " + good), ex.getMessage());
            assertTrue(ex.getMessage().contains("the disk is probably full") && ex.getMessage().contains("unsafe memory access"),
                    ex.getMessage());
        }
        assertEquals(List.of("latest", "step-00000001", "step-00000002"), names(root), "no .tmp-step-* left behind");
        assertEquals(good, ZoCheckpoint.latestVerified(root).orElseThrow(), "--resume uses the last good checkpoint");
    }

    @Test
    void saveTotalLimitKeepsTheNewest() throws Exception {
        Path root = tmp.resolve("ck");
        train(root, 5, 2);
        assertEquals(List.of("latest", "step-00000004", "step-00000005"), names(root));
        assertEquals(root.resolve("step-00000005"), ZoCheckpoint.latest(root).orElseThrow());
        assertThrows(InvalidSettingException.class, () -> new ZoTrainer.Settings(5, 0, 1, root, -1));
    }

    @Test
    void aTruncatedLatestCheckpointNamesThePreviousGoodOne() throws Exception {
        Path root = tmp.resolve("ck");
        train(root, 3, 0);
        Path last = ZoCheckpoint.latest(root).orElseThrow();
        Path weights = last.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(weights) / 2); // killed while the file was being copied elsewhere, or a bad disk
        }
        FrugalIoException ex = assertThrows(FrugalIoException.class, () -> ZoCheckpoint.latestVerified(root));
        assertTrue(ex.getMessage().contains("is damaged"), ex.getMessage());
        assertTrue(ex.getMessage().contains("previous checkpoint " + root.resolve("step-00000002") + " is intact"),
                ex.getMessage());
        assertTrue(ex.getMessage().contains("resume from step 2"), ex.getMessage());
    }
}
