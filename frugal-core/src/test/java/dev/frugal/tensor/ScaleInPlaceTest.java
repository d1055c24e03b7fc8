package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#scaleInPlace} gives the out-of-place {@code mul(v)}'s bits in every float dtype; libtorch's in-place
 * {@code mul_(Scalar)} does not for 16-bit tensors (it rounds the scalar first), which is why ZO2 uses it.
 */
class ScaleInPlaceTest {
    @Test
    void matchesOutOfPlaceMulInEveryFloatDtype() {
        try (Scope s = Scope.open()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                Tensor z = Tensors.randn(Rng.seeded("scale", 5), dt, Device.CPU, 4096);
                for (double v : new double[] {1e-2, 1e-3, -3.7e-4, 0.3}) {
                    float[] expected = z.mul(v).toFloatArray();
                    assertArrayEquals(expected, z.cloneTensor().scaleInPlace(v).toFloatArray(), dt + " × " + v);
                }
            }
        }
    }

    @Test
    void inPlaceScalarMulDiffersForBf16() {
        try (Scope s = Scope.open()) {
            Tensor z = Tensors.randn(Rng.seeded("scale", 5), DType.BF16, Device.CPU, 4096);
            assertFalse(Arrays.equals(z.mul(1e-2).toFloatArray(), z.cloneTensor().mulInPlace(1e-2).toFloatArray()),
                    "libtorch's mul_(Scalar) on bf16 now matches mul(Scalar): scaleInPlace may no longer be needed");
        }
    }
}
