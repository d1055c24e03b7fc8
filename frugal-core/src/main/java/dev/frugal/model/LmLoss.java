package dev.frugal.model;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/** Causal-LM loss with Hugging Face semantics. */
public final class LmLoss {
    /** Label value that takes no part in the loss. */
    public static final long IGNORE_INDEX = -100;

    private LmLoss() {}

    /**
     * Mean next-token cross-entropy: position t predicts {@code labels[t+1]}; labels equal to −100 are ignored.
     *
     * @param logits (B, T, V)
     * @param labels (B, T) int64 (usually the input ids, with padding set to −100)
     * @return a 0-d tensor
     */
    public static Tensor causal(Tensor logits, Tensor labels) {
        long b = logits.size(0), t = logits.size(1), v = logits.size(2);
        if (labels.size(0) != b || labels.size(1) != t)
            throw new IllegalArgumentException("labels must be (B, T) = (" + b + ", " + t + ")");
        // exactly as transformers' ForCausalLMLoss: pad the labels with −100 and shift them left, then one mean
        // cross-entropy over all B·T rows (the same reduction length gives the same float32 rounding)
        Tensor ignored = Tensors.full(IGNORE_INDEX, DType.I64, labels.device(), b, 1);
        Tensor shifted = Tensors.cat(List.of(labels.narrow(1, 1, t - 1), ignored), 1).reshape(b * t); // (B·T)
        return NN.crossEntropy(logits.to(DType.F32).reshape(b * t, v), shifted, IGNORE_INDEX);
    }

    /** Labels from input ids with padded positions (mask 0) set to −100; {@code mask} may be null. */
    public static Tensor labelsFrom(Tensor inputIds, Tensor mask) {
        return mask == null ? inputIds : inputIds.maskedFill(mask.eq(0), IGNORE_INDEX);
    }
}
