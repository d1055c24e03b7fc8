package dev.frugal.depth.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FourierFusionTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void gateOfOneDoublesTheFeaturesAndGradientsReachTheVibration(long seed) {
        try (Scope s = Scope.open(); Params p = new Params(Rng.seeded("t", seed))) {
            Rng r = Rng.seeded("x", seed + 1000); // not the parameters' stream: a name does not change it
            long c = 4, h = 3 + seed, w = 2 + 2 * seed;
            FourierFusion f = new FourierFusion(p, c, h, w, 5);
            Tensor x = Tensors.randn(r, 2, c, h, w);
            // the FFT pair is the identity
            assertTrue(Tensors.maxAbsDiff(ImageOps.irfft2(ImageOps.rfft2(x), h, w), x) < 1e-5, "seed " + seed);
            // with the vibration weight at zero the gate is 2σ(0) = 1 and F' = F + F
            try (dev.frugal.tensor.GradMode off = dev.frugal.tensor.GradMode.off()) { p.get("fusion.vib.weight").zeroInPlace(); }
            Tensor v = Tensors.randn(r, 2, 5).requiresGrad(true);
            Tensor y = f.forward(x, v);
            assertTrue(Tensors.maxAbsDiff(y, x.mul(2)) < 1e-5, "seed " + seed);
            // the gate depends on the vibration features: their gradient is non-zero
            y.square().sum().backward();
            assertTrue(p.get("fusion.vib.weight").grad().abs().sum().itemDouble() > 0, "seed " + seed);
            assertEquals(2 * 5, v.numel());
        }
    }
}
