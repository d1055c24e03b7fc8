package dev.frugal.train;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.Objects;

/**
 * Gradient accumulation: {@code k} micro-batches per optimizer step, so that a batch of {@code k·b} examples fits in
 * the memory of {@code b}. Each micro-batch's mean loss is back-propagated divided by {@code k}, so after {@code k}
 * micro-batches of equal size the accumulated gradient is that of the mean loss over all {@code k·b} examples; then
 * the optimizer steps and the gradients are dropped.
 *
 * <pre>
 *   var acc = new GradientAccumulator(optimizer, 4);
 *   for (batch : microBatches) { if (acc.backward(loss(batch))) schedule.apply(optimizer); }
 *   acc.flush();   // a last, partial group
 * </pre>
 */
public final class GradientAccumulator {

    private final Optimizer optimizer;
    private final int microBatches;
    private int pending;

    /** Steps {@code optimizer} once every {@code microBatches} calls of {@link #backward}. */
    public GradientAccumulator(Optimizer optimizer, int microBatches) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (microBatches < 1) {
            throw new IllegalArgumentException("micro-batches per step must be >= 1, got " + microBatches);
        }
        this.microBatches = microBatches;
    }

    /** Micro-batches per optimizer step {@code k}. */
    public int microBatches() {
        return microBatches;
    }

    /** Micro-batches back-propagated since the last step. */
    public int pending() {
        return pending;
    }

    /**
     * Back-propagates {@code meanLoss / k} (a scalar); after the k-th micro-batch, steps the optimizer and drops the
     * gradients.
     *
     * @return whether the optimizer stepped
     */
    public boolean backward(Tensor meanLoss) {
        try (Scope s = Scope.open()) {
            meanLoss.div(microBatches).backward();
        }
        pending++;
        if (pending == microBatches) {
            stepAndClear();
            return true;
        }
        return false;
    }

    /**
     * Steps on a partial group of {@code c < k} micro-batches, rescaling the gradients by {@code k / c} so that they
     * are the mean over the micro-batches seen; does nothing when none is pending.
     *
     * @return whether the optimizer stepped
     */
    public boolean flush() {
        if (pending == 0) {
            return false;
        }
        if (pending < microBatches) {
            double scale = (double) microBatches / pending;
            try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
                for (Tensor p : optimizer.parameters()) {
                    Tensor g = p.grad();
                    if (g.defined()) {
                        g.mulInPlace(scale);
                    }
                }
            }
        }
        stepAndClear();
        return true;
    }

    private void stepAndClear() {
        optimizer.step();
        optimizer.zeroGrad();
        pending = 0;
    }
}
