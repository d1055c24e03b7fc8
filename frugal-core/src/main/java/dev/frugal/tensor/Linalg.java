package dev.frugal.tensor;

import org.bytedeco.pytorch.global.torch;

/**
 * Dense linear algebra on small matrices (LAPACK through libtorch): solves and symmetric eigenvalues. LAPACK runs with
 * OpenBLAS single-threaded ({@link Threads#withSingleThreadedBlas}): multi-threaded getrf crashed the JVM here.
 * Differentiable through libtorch's autograd.
 */
public final class Linalg {
    private Linalg() {}

    /**
     * {@code X} with {@code A X = B}: {@code a (P, P)}, {@code b (P)} or {@code (P, K)}; LU with partial pivoting.
     *
     * @throws IllegalArgumentException naming the shapes when {@code a} is not square or does not match {@code b}
     */
    public static Tensor solve(Tensor a, Tensor b) {
        if (a.dim() != 2 || a.size(0) != a.size(1) || b.size(0) != a.size(0)) {
            throw new IllegalArgumentException("solve needs a square (P, P) matrix and a (P) or (P, K) right-hand side,"
                    + " got " + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()));
        }
        return Threads.withSingleThreadedBlas(() -> Tensor.wrap(torch.linalg_solve(a.raw(), b.raw())));
    }

    /** Inverse of the square matrices {@code a (…, n, n)} → {@code (…, n, n)} ({@code torch.linalg.inv}). */
    public static Tensor inv(Tensor a) {
        return Threads.withSingleThreadedBlas(() -> Tensor.wrap(torch.linalg_inv(a.raw())));
    }

    /** The identity matrix (n, n), float32 on {@code device}. */
    public static Tensor eye(long n, Device device) {
        return Tensor.wrap(torch.eye(n, Tensors.options(DType.F32, device)));
    }

    /** The identity matrix {@code (p, p)} in {@code dtype} on the CPU. */
    public static Tensor eye(long p, DType dtype) {
        return Tensor.wrap(torch.eye(p, Tensors.options(dtype, Device.CPU)));
    }

    /** Eigenvalues of the symmetric matrix {@code a (P, P)} in ascending order, {@code (P)}. */
    public static Tensor eigvalsh(Tensor a) {
        return Threads.withSingleThreadedBlas(() -> Tensor.wrap(torch.linalg_eigvalsh(a.raw())));
    }
}
