package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two engine options that meet in {@link Zo2Engine}: a tuned subset ({@link TunedParameters}) on the parallel z
 * stream ({@link ZoRng#PARALLEL}). Every tier gives the in-memory run's bits, frozen parameters keep theirs, tuned
 * ones move, and the subset's trajectory differs from MeZO's stream (the option is really in effect).
 */
class SubsetParallelStreamTest {
    static final int STEPS = 3;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"head+top1", "bitfit"})
    void everyTierGivesTheSameBitsAndFrozenParametersStay(String subset) {
        Path opt = Zo2EquivalenceTest.root().resolve("opt");
        TunedParameters t = TunedParameters.parse(subset);
        ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, 0.0, 42, t, ZoRng.PARALLEL);
        Result mem = run(opt, hp, OffloadConfig.inMemory());
        for (OffloadConfig cfg : List.of(OffloadConfig.host(2, DType.F32), OffloadConfig.host(1, DType.F32),
                OffloadConfig.disk(2, DType.F32, tmp.resolve("off")))) {
            Result r = run(opt, hp, cfg);
            assertEquals(mem.losses(), r.losses(), subset + " " + cfg.tier() + " K=" + cfg.residentBlocks() + ": losses");
            for (String n : mem.params().keySet())
                assertTrue(Arrays.equals(mem.params().get(n), r.params().get(n)), subset + " " + cfg.tier() + ": " + n);
        }
        java.util.Set<String> tuned = new java.util.HashSet<>(mem.tuned());
        int moved = 0, kept = 0;
        for (String n : mem.params().keySet()) {
            boolean same = Arrays.equals(mem.initial().get(n), mem.params().get(n));
            if (tuned.contains(n)) {
                assertFalse(same, n + " is tuned but did not move");
                moved++;
            } else {
                assertTrue(same, n + " is frozen but changed");
                kept++;
            }
        }
        assertTrue(moved > 0 && kept > 0, "moved " + moved + ", kept " + kept);
        Result mezo = run(opt, hp.withRng(ZoRng.MEZO), OffloadConfig.inMemory());
        assertFalse(mezo.losses().equals(mem.losses()), "the parallel stream gave MeZO's losses: the option had no effect");
    }

    record Result(List<Double> losses, Map<String, float[]> initial, Map<String, float[]> params, List<String> tuned) {}

    static Result run(Path dir, ZoHyperparameters hp, OffloadConfig cfg) {
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             dev.frugal.io.SafetensorsFile ref = dev.frugal.io.SafetensorsFile.open(dir.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            Map<String, float[]> initial = new LinkedHashMap<>();
            for (String n : m.parameterNames()) initial.put(n, m.parameter(n).toFloatArray());
            List<String> tuned = ParameterLayout.of(m).restrictedTo(hp.tuned()).names();
            Tensor ids = ref.tensor("input_ids");
            LmBatch batch = LmBatch.of(ids, null);
            List<Double> losses = new ArrayList<>();
            Map<String, float[]> params = new LinkedHashMap<>();
            java.util.Set<String> blockNames = new java.util.HashSet<>();
            m.blockParams().forEach(g -> blockNames.addAll(g.names()));
            try (Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), hp, cfg)) {
                for (int i = 0; i < STEPS; i++) {
                    ZoStep st = e.step(i, batch);
                    losses.add(st.lossPlus());
                    losses.add(st.lossMinus());
                }
                e.flush();
                for (String n : m.parameterNames()) if (!blockNames.contains(n)) params.put(n, m.parameter(n).toFloatArray());
                e.forEachBlock((i, w) -> w.forEach((n, x) -> params.put(n, x.toFloatArray())));
            }
            return new Result(losses, initial, params, tuned);
        }
    }
}
