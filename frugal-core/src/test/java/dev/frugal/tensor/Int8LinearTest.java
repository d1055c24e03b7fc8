package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Int8Linear}: the per-channel scale rule (max |W_o| / 127, a zero row at the floor) along either input
 * dimension, and the int8 product against float32 within what int8 rounding allows.
 */
class Int8LinearTest {
    @Test
    void scalesAreMaxAbsOver127AlongTheInputDimension() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensors.randn(Rng.seeded("int8-w", 1), 6, 9);
            w.narrow(0, 2, 1).fillInPlace(0.0); // an all-zero output channel
            Tensor want = w.abs().amax(1, true).clampMin(1e-12).div(127.0);
            assertEquals(0.0, Tensors.maxAbsDiff(Int8Linear.scales(w, 1), want), "(out, in)");
            assertEquals(0.0, Tensors.maxAbsDiff(Int8Linear.scales(w.t().contiguous(), 0), want.t()), "(in, out)");
            assertEquals(1e-12 / 127, Int8Linear.scales(w, 1).narrow(0, 2, 1).itemDouble(), 1e-20, "zero row");
        }
    }

    @Test
    void theInt8ProductIsCloseToFloat32() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensors.randn(Rng.seeded("int8-w", 2), 64, 128).mul(0.05);
            Tensor b = Tensors.randn(Rng.seeded("int8-b", 3), 64);
            Tensor x = Tensors.randn(Rng.seeded("int8-x", 4), 16, 128);
            try (Int8Linear q = Int8Linear.pack(w, b)) {
                Tensor want = NN.linear(x, w, b), got = q.apply(x);
                double err = Tensors.maxAbsDiff(got, want), scale = want.abs().max().itemDouble();
                assertTrue(err <= 0.02 * scale, "int8 vs float32: " + err + " of " + scale);
                assertTrue(err > 0, "an int8 product that equals float32 exactly was not quantized");
            }
        }
    }
}
