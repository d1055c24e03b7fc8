package dev.frugal.model.llama;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/**
 * Rotary position embedding (RoFormer, arXiv 2104.09864, eq. 34) in Hugging Face's "rotate half" layout: the pair
 * rotated together is {@code (x[i], x[i + D/2])}, not adjacent elements. Every step follows transformers'
 * {@code LlamaRotaryEmbedding} op for op in float32, so that cos/sin agree with it to the last bit:
 *
 * <pre>
 *   inv_freq = 1 / θ^(arange(0, D, 2) / D)                 (D/2)   [linear: inv_freq / factor]
 *   freqs    = inv_freq ⊗ position_ids                      (B, T, D/2)
 *   cos, sin = cos(cat(freqs, freqs)), sin(cat(freqs, freqs)) (B, T, D)
 *   x'       = x · cos + rotate_half(x) · sin,   rotate_half(x) = cat(−x[D/2:], x[:D/2])
 * </pre>
 */
public final class RotaryEmbedding {
    private RotaryEmbedding() {}

    /** {@code inv_freq (D/2)} float32 on {@code device}. */
    public static Tensor inverseFrequencies(RopeConfig rope, int headDim, Device device) {
        // torch.arange(0, dim, 2, dtype=int64).float() / dim, then base ** that, then 1.0 / (…) = reciprocal
        Tensor even = Tensors.arange(headDim / 2, device).to(DType.F32).mul(2.0); // exact small integers
        Tensor invFreq = Tensors.pow(rope.theta(), even.div((double) headDim)).reciprocal(); // (D/2)
        return switch (rope.type()) {
            case DEFAULT -> invFreq;
            case LINEAR -> invFreq.div(rope.factor());
        };
    }

    /**
     * cos and sin tables for {@code positions (B, T)} int64: each {@code (B, T, D)} float32.
     */
    public static Tensor[] cosSin(RopeConfig rope, int headDim, Tensor positions) {
        long b = positions.size(0), t = positions.size(1);
        Tensor invFreq = inverseFrequencies(rope, headDim, positions.device()).view(1, headDim / 2, 1); // (1, D/2, 1)
        Tensor pos = positions.to(DType.F32).view(b, 1, t);                                               // (B, 1, T)
        // HF does a (B, D/2, 1) @ (B, 1, T) matmul: with an inner dimension of 1 each entry is one float product
        Tensor freqs = invFreq.mul(pos).transpose(1, 2);                // (B, T, D/2)
        Tensor emb = Tensors.cat(List.of(freqs, freqs), -1);            // (B, T, D)
        return new Tensor[] {emb.cos(), emb.sin()};
    }

    /** Rotates {@code x (B, H, T, D)} by {@code cos, sin (B, T, D)}. */
    public static Tensor apply(Tensor x, Tensor cos, Tensor sin) {
        Tensor c = cos.unsqueeze(1), s = sin.unsqueeze(1); // (B, 1, T, D)
        return x.mul(c).add(rotateHalf(x).mul(s));
    }

    /** {@code cat(−x[…, D/2:], x[…, :D/2])} over the last dimension. */
    static Tensor rotateHalf(Tensor x) {
        long d = x.size(-1), half = d / 2;
        Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, d - half);
        return Tensors.cat(List.of(x2.neg(), x1), -1);
    }
}
