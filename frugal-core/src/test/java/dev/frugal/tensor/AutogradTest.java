package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AutogradTest {

    static LongStream seeds() { return LongStream.range(0, 8); }

    /** H v of f(θ) = ½ θᵀAθ + Σ θ³ is (A + Aᵀ)/2·v + 6 θ ⊙ v; checked against the closed form for random A, θ, v. */
    @ParameterizedTest
    @MethodSource("seeds")
    void hessianVectorProductMatchesClosedForm(long seed) {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("autograd-test", seed);
            int p = 2 + (int) seed;
            Tensor a = Tensors.randn(rng, DType.F64, Device.CPU, p, p);
            Tensor theta = Tensors.randn(rng, DType.F64, Device.CPU, p).requiresGrad(true);
            Tensor v = Tensors.randn(rng, DType.F64, Device.CPU, p);
            Tensor f = theta.unsqueeze(0).matmul(a).matmul(theta.unsqueeze(1)).sum().mul(0.5)
                    .add(theta.pow(3).sum());
            Tensor g = Autograd.grad(f, theta, true);
            Tensor hv = Autograd.hvp(g, theta, v, false);
            Tensor sym = a.add(a.t()).mul(0.5);
            Tensor expected = sym.matmul(v.unsqueeze(1)).squeeze(1).add(theta.detach().mul(v).mul(6));
            double err = Tensors.maxAbsDiff(hv, expected);
            assertTrue(err < 1e-10, "seed " + seed + ": |Hv - closed form| = " + err);
            assertTrue(!theta.grad().defined(), "seed " + seed + ": grad() must not accumulate into .grad");
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void solveInvertsTheMatrix(long seed) {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("solve-test", seed);
            int p = 3 + (int) seed;
            Tensor m = Tensors.randn(rng, DType.F64, Device.CPU, p, p);
            Tensor a = m.matmul(m.t()).add(Linalg.eye(p, DType.F64));
            Tensor b = Tensors.randn(rng, DType.F64, Device.CPU, p);
            Tensor x = Linalg.solve(a, b);
            double err = Tensors.maxAbsDiff(a.matmul(x.unsqueeze(1)).squeeze(1), b);
            assertTrue(err < 1e-9, "seed " + seed + ": |Ax - b| = " + err);
            double[] eig = Linalg.eigvalsh(a).toDoubleArray();
            assertTrue(eig[0] >= 1 - 1e-9, "seed " + seed + ": eigenvalues of MMᵀ + I are ≥ 1, got " + eig[0]);
        }
    }

    @Test
    void refusesNonScalarOutputAndUnusedInput() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.ones(3).requiresGrad(true), y = Tensors.ones(2).requiresGrad(true);
            assertThrows(IllegalArgumentException.class, () -> Autograd.grad(x.mul(2.0), x, false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Autograd.grad(x.sum(), java.util.List.of(x, y), false));
            assertTrue(e.getMessage().contains("input 1"), e.getMessage());
            assertEquals(3, Autograd.grad(x.sum(), x, false).numel());
        }
    }
}
