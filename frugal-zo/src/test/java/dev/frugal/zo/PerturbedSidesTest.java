package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entry points DistZO2 builds on: replicas that compute only loss₊, only loss₋ or no loss at all (replaying the
 * logged scalars) end bit-identical to a replica running {@link Zo2Engine#step}, for fp32 and bf16 storage.
 */
class PerturbedSidesTest {
    static final ZoHyperparameters HP = new ZoHyperparameters(1e-3, 5e-3, 0.0, 11);
    static final int STEPS = 3;

    @TempDir
    Path tmp;

    @Test
    void oneSidedAndReplayedReplicasStayBitIdentical() {
        for (DType dt : List.of(DType.F32, DType.BF16)) {
            List<ZoStep> ref = new ArrayList<>();
            Map<String, float[]> both = run(PerturbedSides.BOTH, dt, ref, null);
            Map<String, float[]> plus = run(PerturbedSides.PLUS, dt, new ArrayList<>(), ref);
            Map<String, float[]> minus = run(PerturbedSides.MINUS, dt, new ArrayList<>(), ref);
            Map<String, float[]> replayed = run(PerturbedSides.NONE, dt, new ArrayList<>(), ref);
            for (String n : both.keySet()) {
                assertTrue(Arrays.equals(both.get(n), plus.get(n)), dt + " PLUS replica differs at " + n);
                assertTrue(Arrays.equals(both.get(n), minus.get(n)), dt + " MINUS replica differs at " + n);
                assertTrue(Arrays.equals(both.get(n), replayed.get(n)), dt + " replayed replica differs at " + n);
            }
        }
    }

    /** Runs STEPS steps computing {@code sides}; one-sided runs take the other side (and g) from {@code ref}. */
    Map<String, float[]> run(PerturbedSides sides, DType dt, List<ZoStep> out, List<ZoStep> ref) {
        Map<String, float[]> params = new LinkedHashMap<>();
        try (CausalLM m = Models.loadCausalLM(dev.frugal.model.Fixtures.dir("opt"), Device.CPU);
             Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), HP,
                     OffloadConfig.disk(2, dt, tmp.resolve(sides + "-" + dt)))) {
            for (int t = 0; t < STEPS; t++) {
                try (Scope s = Scope.open()) {
                    LmBatch b = ResumeTest.data(m.config().vocabSize()).batch(t);
                    switch (sides) {
                        case BOTH -> out.add(e.step(t, b));
                        case PLUS, MINUS -> {
                            PerturbedLosses l = e.perturbedLosses(t, HP.stepSeed(t), b, sides);
                            ZoStep r = ref.get(t);
                            if (sides == PerturbedSides.PLUS) assertEquals(r.lossPlus(), l.lossPlus(), 0.0);
                            else assertEquals(r.lossMinus(), l.lossMinus(), 0.0);
                            e.defer(r.seed(), r.projectedGradient(), r.lr());
                        }
                        case NONE -> e.replay(ref.get(t));
                    }
                }
            }
            e.flush();
            for (var g : java.util.List.of(m.embeddingParams(), m.headParams())) // resident; blocks come from the tier
                g.asMap().forEach((n, t) -> params.put(n, t.toFloatArray()));
            e.forEachBlock((i, w) -> w.forEach((n, t) -> params.put(n, t.toFloatArray())));
        }
        return params;
    }
}
