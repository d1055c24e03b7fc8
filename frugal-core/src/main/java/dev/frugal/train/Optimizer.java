package dev.frugal.train;

import dev.frugal.tensor.Tensor;
import java.util.List;

/**
 * A first-order optimizer over a fixed list of leaf tensors that require grad. {@link #step()} reads each parameter's
 * accumulated {@code .grad} (parameters without one are skipped, as in libtorch) and updates it in place without
 * recording autograd; {@link #zeroGrad()} drops the gradients ({@code set_to_none}). The optimizer owns its state
 * tensors (moments, momentum buffers) and frees them on {@link #close()}.
 */
public sealed interface Optimizer extends AutoCloseable permits OptimizerBase {

    /** The parameters, in the order given at construction. */
    List<Tensor> parameters();

    /** One update from the current gradients. */
    void step();

    /** Drops every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    default void zeroGrad() {
        for (Tensor p : parameters()) {
            p.clearGrad();
        }
    }

    /** The learning rate the next {@link #step()} uses. */
    double lr();

    /** Sets the learning rate for the following steps (what an LR schedule calls before each step). */
    void setLr(double lr);

    /** Steps taken so far. */
    long steps();

    /** Frees the optimizer state. */
    @Override
    void close();
}
