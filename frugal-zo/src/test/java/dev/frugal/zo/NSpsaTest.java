package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.InvalidSettingException;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * MeZO's n-SPSA ({@link ZoHyperparameters#samples()} n &gt; 1): the engine equals {@link MezoReference}'s n-SPSA bit for
 * bit on every fixture architecture with a head (in memory and on the host tier, weight decay included on the
 * encoder), tuning a block is refused naming {@code samples}, a resumed run equals the uninterrupted one, a checkpoint
 * records n and resuming with another is refused, and a replay of the logged scalars lands on the same bits.
 */
class NSpsaTest {
    static final int N = 3;

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> engineEqualsTheReferenceWithHead() throws IOException {
        TunedParameters head = TunedParameters.parse("head");
        return TunedParametersTest.fixtures().stream().filter(TunedParametersTest::hasHead)
                .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
                    TunedParametersTest.Run ref = TunedParametersTest.run(d, null, head, true, N);
                    for (OffloadConfig cfg : List.of(OffloadConfig.host(2, DType.F32), OffloadConfig.inMemory()))
                        ref.run().assertSame(TunedParametersTest.run(d, cfg, head, true, N).run(),
                                d.getFileName() + " n=" + N + ": MeZO n-SPSA vs ZO2 " + cfg.tier());
                    for (ZoStep s : ref.run().steps()) {
                        assertEquals(N, s.samples());
                        double mean = s.sampleGradients().stream().mapToDouble(Double::doubleValue).sum() / N;
                        assertEquals(mean, s.projectedGradient(), 0.0, "the logged g is the mean of the n");
                        assertEquals(N, new HashSet<>(s.sampleGradients()).size(), "n independent perturbations");
                    }
                    TunedParametersTest.Run one = TunedParametersTest.run(d, null, head, true, 1);
                    assertNotEquals(one.run().steps().get(1).loss(), ref.run().steps().get(1).loss(),
                            "n=" + N + " must take another trajectory than n=1");
                }));
    }

    @TestFactory
    Stream<DynamicTest> tuningTheEmbeddingOrABlockIsRefused() throws IOException {
        return TunedParametersTest.fixtures().stream().flatMap(d -> Stream.of("all", "head+top1", "bitfit")
                .map(sub -> DynamicTest.dynamicTest(d.getFileName() + " " + sub, () -> {
                    try (StagedModel m = TunedParametersTest.load(d)) {
                        ZoHyperparameters hp = ResumeTest.HP.withTuned(TunedParameters.parse(sub)).withSamples(N);
                        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                                () -> new Zo2Engine<>(m, new CausalLmObjective(), hp, OffloadConfig.inMemory()));
                        assertEquals("samples", e.parameter());
                        assertTrue(e.getMessage().contains(sub), e.getMessage());
                    }
                })));
    }

    @Test
    void samplesBelowOneAreRefused() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ResumeTest.HP.withSamples(0));
        assertEquals("samples", e.parameter());
    }

    @Test
    void perturbationSeedsStartAtTheStepSeedAndDiffer() {
        Set<Long> seen = new HashSet<>();
        for (long t = 0; t < 50; t++) {
            long s = ResumeTest.HP.stepSeed(t);
            assertEquals(s, ZoHyperparameters.perturbationSeed(s, 0), "k = 0 is the step seed (n = 1 unchanged)");
            for (int k = 0; k < 16; k++) {
                long sk = ZoHyperparameters.perturbationSeed(s, k);
                assertTrue(sk >= 0, "seeds are non-negative");
                assertTrue(seen.add(sk), "seed of step " + t + " perturbation " + k + " repeats");
            }
        }
    }

    /** A causal-LM fixture with a head of its own (the resume test's data is token ids). */
    static Path lmWithHead() throws IOException {
        return TunedParametersTest.fixtures().stream().filter(TunedParametersTest::hasHead)
                .filter(d -> !dev.frugal.model.HfConfig.read(d).modelType().equals("bert")).findFirst().orElseThrow();
    }

    @Test
    void resumedRunEqualsUninterruptedRunAndRecordsN() throws IOException {
        Path dir = lmWithHead();
        ZoHyperparameters hp = ResumeTest.HP.withTuned(TunedParameters.parse("head")).withSamples(N);
        Path full = tmp.resolve("full"), half = tmp.resolve("half");
        TrainerState a = ResumeTest.train(dir, hp, off("a"), 6, full, null);
        ResumeTest.train(dir, hp, off("b"), 3, half, null);
        Path ck = ZoCheckpoint.latest(half).orElseThrow();
        TrainerState mid = ZoCheckpoint.readState(ck);
        assertEquals(N, mid.samples());
        assertEquals(N, mid.history().get(0).samples(), "the history keeps each step's n g's");
        try (CausalLM m = Models.loadCausalLM(ck, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), hp.withSamples(N + 1), off("c"))) {
            InvalidSettingException x = assertThrows(InvalidSettingException.class, () -> new ZoTrainer<>(m, e,
                    ResumeTest.data(m.config().vocabSize()), new ZoTrainer.Settings(6, 0, 3, half), null, null).run(mid));
            assertEquals("samples", x.parameter());
        }
        TrainerState b = ResumeTest.train(ck, hp, off("d"), 6, half, mid);
        assertEquals(a.history(), b.history(), "step scalars after resume");
        ResumeTest.assertSameLatestWeights(full, half);

        // a replica that replays the logged scalars (no forward) ends on the same bits
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), hp, OffloadConfig.inMemory());
             Scope s = Scope.open()) {
            a.history().forEach(e::replay);
            e.flush();
            Path fa = ZoCheckpoint.latest(full).orElseThrow();
            try (SafetensorsFile x = SafetensorsFile.open(fa.resolve("model.safetensors"))) {
                for (String n : ParameterLayout.of(m).restrictedTo(hp.tuned()).names())
                    assertTrue(Tensors.equal(x.tensor(n), m.parameter(n)), n + " differs after a replay");
            }
        }
    }

    @Test
    void aCheckpointWrittenBeforeNSpsaUsedOnePerturbation() throws IOException {
        Path d = tmp.resolve("old");
        Files.createDirectories(d);
        Files.writeString(d.resolve(ZoCheckpoint.STATE), "{\"format\": \"" + TrainerState.FORMAT + "\", \"completed\": 1,"
                + " \"runSeed\": 7, \"eps\": 0.001, \"lr\": 0.005, \"weightDecay\": 0.0, \"storage\": \"BF16\", \"history\":"
                + " [{\"step\": 0, \"seed\": 5, \"lossPlus\": 1.0, \"lossMinus\": 0.5, \"projectedGradient\": 250.0,"
                + " \"lr\": 0.005}]}");
        TrainerState st = ZoCheckpoint.readState(d);
        assertEquals(1, st.samples());
        assertEquals(1, st.history().get(0).samples());
        assertEquals(List.of(), st.history().get(0).sampleGradients());
    }

    OffloadConfig off(String name) { return OffloadConfig.disk(2, DType.BF16, tmp.resolve("off-" + name)); }
}
