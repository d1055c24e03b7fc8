package dev.frugal.tensor;

import org.bytedeco.pytorch.global.torch;

/** Dense linear algebra ({@code torch.linalg}), differentiable through libtorch's autograd. */
public final class Linalg {
    private Linalg() {}

    /** Inverse of the square matrices {@code a (…, n, n)} → {@code (…, n, n)} ({@code torch.linalg.inv}). */
    public static Tensor inv(Tensor a) { return Tensor.wrap(torch.linalg_inv(a.raw())); }

    /** The solution X of {@code a X = b}: a (…, n, n), b (…, n, k) → (…, n, k) ({@code torch.linalg.solve}). */
    public static Tensor solve(Tensor a, Tensor b) { return Tensor.wrap(torch.linalg_solve(a.raw(), b.raw())); }

    /** The identity matrix (n, n), float32 on {@code device}. */
    public static Tensor eye(long n, Device device) {
        return Tensor.wrap(torch.eye(n, Tensors.options(DType.F32, device)));
    }
}
