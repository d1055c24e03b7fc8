package dev.frugal.fewshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RidgeTest {

    /** The fast projector (through the smaller inverse, m ≤ d or m > d) equals the literal Eq. 1. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void projectorMatchesTheLiteralFormula(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(20), m = 2 + r.nextInt(60), d = 2 + r.nextInt(40);
        Rng rng = Rng.seeded("ridge", seed);
        try (Scope s = Scope.open()) {
            Tensor t = Tensors.randn(rng, n, d), u = Tensors.randn(rng, m, d);
            double lambda = Ridge.lambda(m, d);
            Tensor ref = Ridge.reconstructReference(t, u, lambda);
            Tensor fast = t.matmul(Ridge.projector(u, lambda));
            double diff = Tensors.maxAbsDiff(ref, fast), scale = ref.abs().max().itemDouble();
            assertTrue(diff <= 1e-4 * Math.max(1, scale), "seed " + seed + " (n " + n + ", m " + m + ", d " + d + "): |Δ| = " + diff);
        }
    }

    /** frnLogits ranks classes as the per-class loop over Eq. 1 does. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14})
    void frnScoresMatchAPerClassLoop(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = 1 + r.nextInt(6), rr = 1 + r.nextInt(9), d = 4 + r.nextInt(30), n = 2 + r.nextInt(4), sRows = 1 + r.nextInt(50);
        Rng rng = Rng.seeded("frn", seed);
        try (Scope s = Scope.open()) {
            Tensor q = Tensors.randn(rng, b, rr, d), sup = Tensors.randn(rng, n, sRows, d);
            Tensor logits = Ridge.frnLogits(q, sup, 1.0);
            List<Tensor> cols = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                Tensor flat = q.reshape(b * rr, d);
                Tensor rec = Ridge.reconstructReference(flat, sup.select(0, c), Ridge.lambda(sRows, d));
                cols.add(rec.sub(flat).pow(2).sum(1, false).reshape(b, rr).mean(1, false).neg()); // (B)
            }
            Tensor ref = Tensors.stack(cols, 1);                                                   // (B, N)
            assertArrayEquals(ref.argmax(1, false).toLongArray(), logits.argmax(1, false).toLongArray(), "seed " + seed);
            float[] l = logits.toFloatArray();
            for (float v : l) assertTrue(v >= -1e-5 && v <= 1 + 1e-5, "seed " + seed + ": min-max score " + v);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void kmeansFindsSeparatedClusters(long seed) {
        Rng rng = Rng.seeded("km", seed);
        try (Scope s = Scope.open()) {
            // three tight blobs at 0, 10, 20 on the first axis
            List<Tensor> blobs = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                Tensor centre = Tensors.zeros(1, 4);
                centre.narrow(1, 0, 1).fillInPlace(10 * c);
                blobs.add(Tensors.randn(rng, 30, 4).mul(0.1).add(centre));
            }
            Tensor c = Codebook.kmeans(Tensors.cat(blobs, 0), 3, 20, rng);
            float[] first = c.narrow(1, 0, 1).reshape(3).toFloatArray();
            java.util.Arrays.sort(first);
            for (int k = 0; k < 3; k++) assertTrue(Math.abs(first[k] - 10 * k) < 0.5, "seed " + seed + ": centroids " + java.util.Arrays.toString(first));
        }
    }
}
