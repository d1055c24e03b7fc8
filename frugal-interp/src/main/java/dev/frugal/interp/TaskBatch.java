package dev.frugal.interp;

import dev.frugal.tensor.Tensor;

/**
 * One batch of a circuit task: the clean input, the corrupted input whose activations removed edges carry, and the
 * correct next tokens at the positions the metric reads.
 *
 * @param clean     {@code (B, T)} int64
 * @param corrupted {@code (B, T)} int64
 * @param targets   {@code (B, P)} int64: the token that should follow each chosen position
 * @param positions the P chosen positions
 */
public record TaskBatch(Tensor clean, Tensor corrupted, Tensor targets, long[] positions) implements AutoCloseable {
    public TaskBatch {
        if (clean.dim() != 2 || !java.util.Arrays.equals(clean.shape(), corrupted.shape()))
            throw new IllegalArgumentException("clean and corrupted inputs must both be (B, T)");
        if (targets.size(0) != clean.size(0) || targets.size(1) != positions.length)
            throw new IllegalArgumentException("targets must be (B, P) for " + positions.length + " positions");
        clean.keep();
        corrupted.keep();
        targets.keep();
        positions = positions.clone();
    }

    /** The same batch on {@code device} (new handles, closed separately; on the batch's own device, aliases). */
    public TaskBatch to(dev.frugal.tensor.Device device) {
        return new TaskBatch(clean.to(device), corrupted.to(device), targets.to(device), positions);
    }

    @Override
    public void close() {
        clean.close();
        corrupted.close();
        targets.close();
    }
}
