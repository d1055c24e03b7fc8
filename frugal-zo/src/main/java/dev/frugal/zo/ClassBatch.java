package dev.frugal.zo;

import dev.frugal.tensor.Tensor;

/**
 * A sequence-classification batch.
 *
 * @param inputIds (B, T) int64
 * @param mask     (B, T) int64 padding mask (1 = token), or null
 * @param labels   (B) int64 class indices
 */
public record ClassBatch(Tensor inputIds, Tensor mask, Tensor labels) {
    public ClassBatch {
        if (inputIds.dim() != 2) throw new IllegalArgumentException("input ids must be (B, T)");
        if (labels.dim() != 1 || labels.size(0) != inputIds.size(0))
            throw new IllegalArgumentException("labels must be (B) with B = " + inputIds.size(0));
    }
}
