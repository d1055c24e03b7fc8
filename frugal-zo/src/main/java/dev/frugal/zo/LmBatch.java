package dev.frugal.zo;

import dev.frugal.tensor.Tensor;

/**
 * A causal-LM batch.
 *
 * @param inputIds (B, T) int64
 * @param mask     (B, T) int64, 1 = token, 0 = padding; null when nothing is padded
 * @param labels   (B, T) int64 next-token labels (−100 = ignored)
 */
public record LmBatch(Tensor inputIds, Tensor mask, Tensor labels) {
    public LmBatch {
        if (inputIds.dim() != 2) throw new IllegalArgumentException("input ids must be (B, T)");
    }

    /** Labels = input ids, padding ignored. */
    public static LmBatch of(Tensor inputIds, Tensor mask) {
        return new LmBatch(inputIds, mask, dev.frugal.model.LmLoss.labelsFrom(inputIds, mask));
    }
}
