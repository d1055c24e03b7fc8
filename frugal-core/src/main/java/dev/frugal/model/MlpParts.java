package dev.frugal.model;

import dev.frugal.tensor.Tensor;

/**
 * One block's MLP taken apart, handed to {@link LayerOps#mlp} so that a hook can feed it its own input and read its
 * output (circuit discovery). Shapes: residual {@code (N, T, C)}.
 */
public interface MlpParts {
    int layer();

    /** The block's pre-MLP norm of a residual stream (identity for post-LN blocks). */
    Tensor norm(Tensor residual);

    /** The MLP on a normed stream, through {@link LayerOps#linear} / {@link LayerOps#conv1d}: {@code (N, T, C)}. */
    Tensor apply(Tensor normed);

    /** The plain computation: {@code apply(norm(residual))}. */
    default Tensor forward(Tensor residual) { return apply(norm(residual)); }
}
