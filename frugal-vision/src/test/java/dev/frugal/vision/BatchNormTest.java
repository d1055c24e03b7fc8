package dev.frugal.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchNormTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void trainingModeMatchesTheFormulaAndUpdatesRunningStatistics(long seed) {
        Rng rng = Rng.seeded("bn", seed);
        try (Scope s = Scope.open()) {
            long b = 2 + seed, c = 3 + seed % 3, hw = 4 + seed % 2;
            Tensor x = Tensors.randn(rng, b, c, hw, hw).mul(2).add(0.5);
            BatchNorm2d bn = new BatchNorm2d(c);
            bn.weight.copyFrom(Tensors.randn(rng, c));
            bn.bias.copyFrom(Tensors.randn(rng, c));
            double m = 0.25;
            Tensor y = bn.forward(x, true, m);
            Tensor ref = BatchNorm2d.reference(x, bn.weight, bn.bias);
            double diff = Tensors.maxAbsDiff(y, ref);
            assertTrue(diff < 1e-5, "seed " + seed + ": |BN − formula| = " + diff);
            // running_mean = m · batch mean (from 0); running_var = (1 − m) · 1 + m · unbiased batch variance
            Tensor flat = x.transpose(0, 1).reshape(c, -1);
            float[] mean = flat.mean(1, false).mul(m).toFloatArray();
            long n = flat.size(1);
            float[] var = flat.varBiased(1, false).mul((double) n / (n - 1)).mul(m).add(1 - m).toFloatArray();
            assertArrayEquals(mean, bn.runningMean.toFloatArray(), 1e-5f, "seed " + seed);
            assertArrayEquals(var, bn.runningVar.toFloatArray(), 1e-4f, "seed " + seed);
            // eval mode normalises with the running statistics
            Tensor e = bn.forward(x, false, m);
            Tensor expect = x.sub(bn.runningMean.view(1, c, 1, 1)).div(bn.runningVar.view(1, c, 1, 1).add(BatchNorm2d.EPS).sqrt())
                    .mul(bn.weight.view(1, c, 1, 1)).add(bn.bias.view(1, c, 1, 1));
            assertTrue(Tensors.maxAbsDiff(e, expect) < 1e-5, "seed " + seed);
        }
    }
}
