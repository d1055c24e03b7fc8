package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Stop at step k, resume from the checkpoint, and land on the uninterrupted run's trajectory bit for bit. */
class ResumeTest {
    @TempDir
    Path tmp;

    static final ZoHyperparameters HP = new ZoHyperparameters(1e-3, 5e-3, 0.0, 7);

    /** Random LM batches of step t from (seed, t) only. */
    static BatchSource<LmBatch> data(long vocab) {
        return t -> LmBatch.of(Tensors.randint(0, vocab, Rng.seeded("data", 1000 + t), 2, 12), null);
    }

    OffloadConfig offload(String name) { return OffloadConfig.disk(2, DType.BF16, tmp.resolve("off-" + name)); }

    /**
     * Trains the model in {@code dir} (a fixture or a checkpoint) with {@code hp} on {@link #data} up to {@code steps} in
     * all, from {@code from} ({@code null}: a fresh run), checkpointing every 3 steps into {@code checkpoints}.
     */
    static TrainerState train(Path dir, ZoHyperparameters hp, OffloadConfig off, long steps, Path checkpoints,
                              TrainerState from) {
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), hp, off)) {
            return new ZoTrainer<>(m, e, data(m.config().vocabSize()), new ZoTrainer.Settings(steps, 0, 3, checkpoints),
                    null, null).run(from != null ? from : ZoTrainer.fresh(hp, e.offload()));
        }
    }

    /** The latest checkpoints under {@code a} and {@code b} hold the same tensors, bit for bit. */
    static void assertSameLatestWeights(Path a, Path b) {
        Path fa = ZoCheckpoint.latest(a).orElseThrow(), fb = ZoCheckpoint.latest(b).orElseThrow();
        try (SafetensorsFile x = SafetensorsFile.open(fa.resolve("model.safetensors"));
             SafetensorsFile y = SafetensorsFile.open(fb.resolve("model.safetensors")); Scope s = Scope.open()) {
            assertEquals(x.names(), y.names());
            for (String n : x.names()) assertTrue(Tensors.equal(x.tensor(n), y.tensor(n)), n + " differs after resume");
        }
    }

    @ParameterizedTest
    @EnumSource(ZoRng.class)
    void resumedRunEqualsUninterruptedRun(ZoRng rng) throws Exception {
        ZoHyperparameters HP = ResumeTest.HP.withRng(rng);
        Path opt = dev.frugal.model.Fixtures.dir("opt");
        Path full = tmp.resolve("full"), half = tmp.resolve("half");
        TrainerState a = train(opt, HP, offload("a"), 6, full, null);
        train(opt, HP, offload("b"), 3, half, null); // an interrupted run: only the first 3 steps
        Path ck = ZoCheckpoint.latest(half).orElseThrow();
        TrainerState mid = ZoCheckpoint.readState(ck);
        assertEquals(3, mid.completed());
        TrainerState b = train(ck, HP, offload("c"), 6, half, mid);
        assertEquals(a.history(), b.history(), "step scalars after resume");
        assertSameLatestWeights(full, half);
        assertTrue(Files.isRegularFile(full.resolve("latest")));
        assertEquals(rng, mid.rng(), "the checkpoint records the z stream");
    }

    /** A checkpoint of one z stream cannot be continued with the other (it would leave the trajectory). */
    @Test
    void resumingWithTheOtherStreamIsRefused() {
        Path opt = dev.frugal.model.Fixtures.dir("opt"), dir = tmp.resolve("mezo");
        try (CausalLM m = Models.loadCausalLM(opt, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), HP, OffloadConfig.inMemory())) {
            new ZoTrainer<>(m, e, data(m.config().vocabSize()), new ZoTrainer.Settings(1, 0, 1, dir), null, null)
                    .run(ZoTrainer.fresh(HP, e.offload()));
        }
        TrainerState mid = ZoCheckpoint.readState(ZoCheckpoint.latest(dir).orElseThrow());
        assertEquals(ZoRng.MEZO, mid.rng());
        ZoHyperparameters par = HP.withRng(ZoRng.PARALLEL);
        try (CausalLM m = Models.loadCausalLM(opt, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), par, OffloadConfig.inMemory())) {
            dev.frugal.InvalidSettingException ex = assertThrows(dev.frugal.InvalidSettingException.class, () ->
                    new ZoTrainer<>(m, e, data(m.config().vocabSize()), new ZoTrainer.Settings(2, 0, 1, dir), null, null).run(mid));
            assertEquals("rng", ex.parameter());
            assertTrue(ex.getMessage().contains("MEZO") && !ex.getMessage().contains("\n"), ex.getMessage());
        }
    }

    /** A state written before the z stream was recorded reads as MeZO's (the only stream there was). */
    @Test
    void aStateWithoutRngReadsAsMezo() throws Exception {
        String json = "{\"format\":\"" + TrainerState.FORMAT + "\",\"completed\":0,\"runSeed\":7,\"eps\":0.001,"
                + "\"lr\":0.005,\"weightDecay\":0.0,\"storage\":\"F32\",\"history\":[]}";
        TrainerState st = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, TrainerState.class);
        assertEquals(ZoRng.MEZO, st.rng());
        String again = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new TrainerState(
                st.format(), 0, 7, 1e-3, 5e-3, 0, "F32", java.util.List.of(), ZoRng.PARALLEL));
        assertEquals(ZoRng.PARALLEL, new com.fasterxml.jackson.databind.ObjectMapper().readValue(again, TrainerState.class).rng());
    }

    @Test
    void refusesToCheckpointWithAPendingUpdate() {
        try (CausalLM m = Models.loadCausalLM(dev.frugal.model.Fixtures.dir("opt"), Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), HP, OffloadConfig.inMemory());
             Scope s = Scope.open()) {
            e.step(0, data(m.config().vocabSize()).batch(0));
            TrainerState st = new TrainerState(TrainerState.FORMAT, 1, 7, 1e-3, 5e-3, 0, "F32",
                    java.util.List.of(new ZoStep(0, 1, 1, 1, 0, 5e-3)));
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ZoCheckpoint.save(tmp, m, e, st));
            assertTrue(ex.getMessage().contains("pending"), ex.getMessage());
        }
    }

    @Test
    void nonFiniteLossStopsWithAClearError() {
        try (CausalLM m = Models.loadCausalLM(dev.frugal.model.Fixtures.dir("opt"), Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), HP, OffloadConfig.inMemory());
             Scope s = Scope.open()) {
            Tensor w = m.parameter("model.decoder.embed_positions.weight"); // in every OPT (pre- or post-LN)
            w.fillInPlace(Double.NaN);
            NonFiniteLossException ex = assertThrows(NonFiniteLossException.class, () -> e.step(0, data(m.config().vocabSize()).batch(0)));
            assertTrue(ex.getMessage().contains("not finite"), ex.getMessage());
            assertTrue(!e.hasPendingUpdate(), "a failed step leaves no update behind");
        }
    }
}
