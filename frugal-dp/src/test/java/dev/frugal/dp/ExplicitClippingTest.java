package dev.frugal.dp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.testing.SeededCases;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one-pass explicit route ({@link PerSampleFactor.Outer#clipExplicitly}: per-sample gradients formed chunk by
 * chunk, norms, clipped GEMV) against the ghost route (Gram norms, clip, one GEMM) and a per-sample loop, over random
 * shapes, bounds and chunk sizes.
 */
class ExplicitClippingTest {
    private static final double TOL = 1e-4;

    static LongStream cases() { return SeededCases.seeds("explicit-clipping", 30); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("cases")
    void explicitRouteMatchesGhostRouteAndLoop(long caseSeed) {
        SeededCases.Case c = SeededCases.of(caseSeed);
        int batch = c.intIn("batch", 1, 9), seqLen = c.intIn("T", 1, 12), p = c.intIn("P", 1, 17), q = c.intIn("Q", 1, 17);
        int chunkElements = c.intIn("chunkElements", 1, 600);
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("explicit-clipping", c.longIn("tensorSeed", 0, 1_000_000));
            Tensor u = Tensors.randn(rng, batch, seqLen, p), v = Tensors.randn(rng, batch, seqLen, q);
            double bound = 0.5 + 20 * Tensors.rand(rng, 1).itemDouble(); // some samples clipped, some not
            PerSampleFactor.Outer f = new PerSampleFactor.Outer(u, v);

            PerSampleFactor.NormsAndSum got = f.clipExplicitly(bound, chunkElements);
            Tensor ghostNorms = PerSampleFactor.normSquared(f, true);
            Tensor ghostSum = f.clippedSum(PerSampleFactor.clipFactor(bound, ghostNorms));

            Tensor loopSum = Tensors.zeros(p, q);
            double scale = 0; // Σᵢ ‖clipped gᵢ‖: clipped terms can cancel (P = Q = 1, opposite signs), so sums are
                              // compared relative to what was summed, not to the sum's own norm
            for (int i = 0; i < batch; i++) {
                Tensor g = u.select(0, i).t().matmul(v.select(0, i)); // (P, Q)
                double clip = Math.min(1, bound / (g.norm().itemDouble() + 1e-6));
                loopSum = loopSum.add(g.mul(clip));
                scale += clip * g.norm().itemDouble();
            }
            assertTrue(rel(got.normSquared(), ghostNorms) <= TOL, c + ": norms " + rel(got.normSquared(), ghostNorms));
            double vsGhost = got.sum().sub(ghostSum).norm().itemDouble() / Math.max(scale, 1e-6);
            double vsLoop = got.sum().sub(loopSum).norm().itemDouble() / Math.max(scale, 1e-6);
            assertTrue(vsGhost <= TOL, c + ": sum vs ghost " + vsGhost);
            assertTrue(vsLoop <= TOL, c + ": sum vs loop " + vsLoop);
        }
    }

    @Test
    void costRuleChoosesExplicitForLongSequencesAndGhostForSingleRows() {
        try (Scope s = Scope.open()) {
            // GPT-2 block linear at T = 128: per-sample gradients are cheaper than T²(P+Q) Gram work
            assertTrue(new PerSampleFactor.Outer(Tensors.zeros(2, 128, 256), Tensors.zeros(2, 128, 1024))
                    .explicitSumIsCheaper());
            // CNN's first convolution: 196 patch positions, 16×64 weight
            assertTrue(new PerSampleFactor.Outer(Tensors.zeros(2, 196, 16), Tensors.zeros(2, 196, 64))
                    .explicitSumIsCheaper());
            // one row per sample (an MLP): ghost norms are ‖u‖²‖v‖², nothing to form
            assertFalse(new PerSampleFactor.Outer(Tensors.zeros(2, 1, 128), Tensors.zeros(2, 1, 784))
                    .explicitSumIsCheaper());
        }
    }

    private static double rel(Tensor got, Tensor want) {
        return got.sub(want).norm().itemDouble() / Math.max(want.norm().itemDouble(), 1e-6);
    }
}
