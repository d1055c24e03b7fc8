package dev.frugal.influence.solve;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;

/**
 * A linear map {@code v (P) ↦ A v (P)} given only by its products, here the damped transposed Jacobian of SAM's update
 * (or the damped Hessian) from double backward.
 */
public interface LinearOperator {
    /** P. */
    long dim();

    /** Whether A = Aᵀ (the classic Hessian); SAM's Jacobian is not symmetric. */
    boolean symmetric();

    /** The dtype of vectors. */
    DType dtype();

    /** A v for {@code v (P)}; the result belongs to the caller's scope. */
    Tensor apply(Tensor v);
}
