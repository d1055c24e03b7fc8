package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.InvalidSettingException;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZO over a subset of the parameters: the engine equals MeZO with the frozen parameters' {@code requires_grad} off,
 * bit for bit, on every fixture architecture and subset; frozen parameters keep their bits; the shared frozen
 * forwards (fast path) equal the two-forward reference path; a resumed subset run equals the uninterrupted one.
 */
class TunedParametersTest {
    static final int STEPS = 3;
    static final List<String> SUBSETS = List.of("head", "head+top1", "bitfit");

    @TempDir
    Path tmp;

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(Zo2EquivalenceTest.root())) {
            return s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
        }
    }

    /** Whether {@code dir}'s model has parameters after its last block (a separate head). */
    static boolean hasHead(Path dir) {
        try (StagedModel m = load(dir)) {
            return !ParameterLayout.of(m).suffix().isEmpty();
        }
    }

    static StagedModel load(Path dir) {
        return HfConfig.read(dir).modelType().equals("bert") ? Models.loadEncoder(dir, Device.CPU)
                : Models.loadCausalLM(dir, Device.CPU);
    }

    @TestFactory
    Stream<DynamicContainer> engineEqualsMezoWithFrozenParametersAndFrozenBitsStay() throws IOException {
        return fixtures().stream().map(d -> DynamicContainer.dynamicContainer(d.getFileName().toString(),
                SUBSETS.stream().map(sub -> DynamicTest.dynamicTest(sub, () -> {
                    TunedParameters t = TunedParameters.parse(sub);
                    if (t instanceof TunedParameters.Head && !hasHead(d)) { // a tied head: nothing to tune, said so
                        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> run(d, null, t, true));
                        assertTrue(e.getMessage().contains("selects no parameter"), e.getMessage());
                        return;
                    }
                    Run ref = run(d, null, t, true);
                    Run host = run(d, OffloadConfig.host(2, DType.F32), t, true);
                    ref.run().assertSame(host.run(), d.getFileName() + " " + sub + ": MeZO vs ZO2 host fp32 K=2");
                    ref.run().assertSame(run(d, OffloadConfig.host(1, DType.F32), t, false).run(),
                            d.getFileName() + " " + sub + ": reference path (two forwards) K=1");
                    int frozen = 0, tuned = 0;
                    for (String n : ref.initial().keySet()) {
                        boolean same = java.util.Arrays.equals(ref.initial().get(n), host.run().params().get(n));
                        if (ref.tuned().contains(n)) {
                            tuned++;
                            assertFalse(same, n + " is tuned but did not move");
                        } else {
                            frozen++;
                            assertTrue(same, n + " is frozen but changed");
                        }
                    }
                    assertTrue(frozen > 0 && tuned > 0, "frozen " + frozen + ", tuned " + tuned);
                }))));
    }

    /**
     * The shared forwards through the frozen trunk (fast path) and two forwards per step (reference path) give the
     * same losses and parameters bit for bit, in bf16 storage on the host tier and in memory.
     */
    @ParameterizedTest
    @ValueSource(strings = {"opt:head+top1", "gpt2:head", "bert:head+top1", "bert:head"})
    void sharedFrozenForwardsEqualTheReferencePath(String modelAndSubset) {
        String[] ms = modelAndSubset.split(":");
        Path dir = Zo2EquivalenceTest.root().resolve(ms[0]);
        String sub = ms[1];
        TunedParameters t = TunedParameters.parse(sub);
        for (OffloadConfig cfg : List.of(OffloadConfig.host(2, DType.BF16), OffloadConfig.inMemory())) {
            Run fast = run(dir, cfg, t, true), ref = run(dir, cfg, t, false);
            assertTrue(fast.shared() > 0, "the fast path shares " + fast.shared() + " blocks");
            assertEquals(0, ref.shared());
            ref.run().assertSame(fast.run(), modelAndSubset + " " + cfg.tier() + ": shared vs two forwards");
        }
    }

    @Test
    void allIsTheFullTrajectory() {
        Path opt = Zo2EquivalenceTest.root().resolve("opt");
        Zo2EquivalenceTest.Run full = Zo2EquivalenceTest.run(opt, OffloadConfig.host(2, DType.F32), null);
        full.assertSame(run(opt, OffloadConfig.host(2, DType.F32), TunedParameters.parse("all"), true).run(),
                "tuned=all vs the engine without a subset");
    }

    @Test
    void resumedSubsetRunEqualsUninterruptedRun() {
        Path opt = Zo2EquivalenceTest.root().resolve("opt");
        ZoHyperparameters hp = ResumeTest.HP.withTuned(TunedParameters.parse("head+top1"));
        Path full = tmp.resolve("full"), half = tmp.resolve("half");
        TrainerState a = ResumeTest.train(opt, hp, off("a"), 6, full, null);
        ResumeTest.train(opt, hp, off("b"), 3, half, null);
        Path ck = ZoCheckpoint.latest(half).orElseThrow();
        TrainerState mid = ZoCheckpoint.readState(ck);
        assertEquals("head+top1", mid.tuned());
        try (CausalLM m = Models.loadCausalLM(ck, Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), ResumeTest.HP, off("c"))) {
            InvalidSettingException x = assertThrows(InvalidSettingException.class, () -> new ZoTrainer<>(m, e,
                    ResumeTest.data(m.config().vocabSize()), new ZoTrainer.Settings(6, 0, 3, half), null, null).run(mid));
            assertTrue(x.getMessage().contains("head+top1"), x.getMessage());
        }
        TrainerState b = ResumeTest.train(ck, hp, off("d"), 6, half, mid);
        assertEquals(a.history(), b.history(), "step scalars after resume");
        ResumeTest.assertSameLatestWeights(full, half);
    }

    @Test
    void aCheckpointWrittenBeforeSubsetsTunedAll() throws IOException {
        Path d = tmp.resolve("old");
        Files.createDirectories(d);
        Files.writeString(d.resolve(ZoCheckpoint.STATE), "{\"format\": \"" + TrainerState.FORMAT + "\", \"completed\": 0,"
                + " \"runSeed\": 7, \"eps\": 0.001, \"lr\": 0.005, \"weightDecay\": 0.0, \"storage\": \"BF16\","
                + " \"history\": []}");
        assertEquals(TunedParameters.ALL, ZoCheckpoint.readState(d).tunedParameters());
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "head", "head+top1", "head+top12", "bitfit"})
    void spellingsRoundTrip(String s) { assertEquals(s, TunedParameters.parse(s).toString()); }

    @ParameterizedTest
    @ValueSource(strings = {"", "none", "head+top0", "top2", "head+top", "head+top-1", "head+top2x"})
    void badSpellingsAreRefusedNamingTheSetting(String s) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> TunedParameters.parse(s));
        assertEquals("tuned", e.parameter());
    }

    @Test
    void moreTopBlocksThanTheModelHasIsRefused() {
        Path opt = Zo2EquivalenceTest.root().resolve("opt");
        try (CausalLM m = Models.loadCausalLM(opt, Device.CPU)) {
            int n = m.blockParams().size();
            ZoHyperparameters hp = ResumeTest.HP.withTuned(new TunedParameters.HeadAndTopBlocks(n + 1));
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> new Zo2Engine<>(m, new CausalLmObjective(), hp, OffloadConfig.inMemory()));
            assertTrue(e.getMessage().contains(n + " blocks") || e.getMessage().contains("has " + n), e.getMessage());
        }
    }

    OffloadConfig off(String name) { return OffloadConfig.disk(2, DType.BF16, tmp.resolve("off-" + name)); }

    /** A run's trajectory, the parameters before it, the tuned names and how many blocks the fast path shared. */
    record Run(Zo2EquivalenceTest.Run run, Map<String, float[]> initial, java.util.Set<String> tuned, int shared) {}

    /** {@link Zo2EquivalenceTest#run} with a subset; {@code cfg == null} runs the MeZO reference. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Run run(Path dir, OffloadConfig cfg, TunedParameters t, boolean share) { return run(dir, cfg, t, share, 1); }

    /** {@link #run(Path, OffloadConfig, TunedParameters, boolean)} with {@code samples} perturbations per step. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Run run(Path dir, OffloadConfig cfg, TunedParameters t, boolean share, int samples) {
        boolean encoder = HfConfig.read(dir).modelType().equals("bert");
        try (StagedModel m = load(dir); SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            Tensor ids = ref.tensor("input_ids");
            Object batch = encoder ? new ClassBatch(ids, null, Zo2EquivalenceTest.labels(ids.size(0), m)) : LmBatch.of(ids, null);
            ZoObjective obj = encoder ? new SequenceClassificationObjective() : new CausalLmObjective();
            ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, encoder ? 0.1 : 0.0, 42, t).withSamples(samples);
            Map<String, float[]> initial = new LinkedHashMap<>();
            for (String n : m.parameterNames()) initial.put(n, m.parameter(n).toFloatArray());
            java.util.Set<String> tuned = new java.util.HashSet<>(ParameterLayout.of(m).restrictedTo(t).names());
            List<ZoStep> steps = new ArrayList<>();
            Map<String, float[]> params = new LinkedHashMap<>();
            int shared = 0;
            if (cfg == null) {
                MezoReference ref0 = new MezoReference(m, obj, hp);
                for (int i = 0; i < STEPS; i++) steps.add(ref0.step(i, hp.stepSeed(i), batch));
                for (String n : m.parameterNames()) params.put(n, m.parameter(n).toFloatArray());
            } else {
                java.util.Set<String> blockNames = new java.util.HashSet<>();
                m.blockParams().forEach(g -> blockNames.addAll(g.names()));
                try (Zo2Engine e = new Zo2Engine(m, obj, hp, cfg).shareFrozenForwards(share)) {
                    shared = e.sharedFrozenBlocks();
                    for (int i = 0; i < STEPS; i++) steps.add(e.step(i, batch));
                    e.flush();
                    for (String n : m.parameterNames()) if (!blockNames.contains(n)) params.put(n, m.parameter(n).toFloatArray());
                    Map<String, float[]> out = params;
                    ((Zo2Engine<Object>) e).forEachBlock((i, w) -> w.forEach((n, x) -> out.put(n, x.toFloatArray())));
                }
                Map<String, float[]> ordered = new LinkedHashMap<>();
                for (String n : m.parameterNames()) ordered.put(n, params.get(n));
                params = ordered;
            }
            return new Run(new Zo2EquivalenceTest.Run(steps, params), initial, tuned, shared);
        }
    }
}
