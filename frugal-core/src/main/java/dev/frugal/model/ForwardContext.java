package dev.frugal.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * Everything a stage needs besides its input and its parameters, for one forward call.
 *
 * <p>{@code paddingMask (B, S)} covers the cached and the new positions ({@code S = past + T}); 1 = a real token,
 * 0 = padding; null means all real. The boolean attention mask handed to SDPA is derived once per call.
 */
public final class ForwardContext {
    private final Tensor paddingMask; // (B, S) int64 or null
    private final long batch;
    private final long newTokens;
    private final long past;
    private final KvCache cache;
    private final LayerOps ops;
    private final boolean causal;
    private final Device device;
    private Tensor attend; // (B, 1, T, S) bool, lazily
    private Tensor rowPositions; // (B, T) int64 when each row has its own positions (slot decoding), else null

    /**
     * @param device where masks and positions made here go (the model's device)
     */
    public ForwardContext(long batch, long newTokens, Tensor paddingMask, KvCache cache, LayerOps ops, boolean causal,
                          Device device) {
        this.device = device;
        this.batch = batch;
        this.newTokens = newTokens;
        this.past = cache == null ? 0 : cache.length();
        if (paddingMask != null && (paddingMask.dim() != 2 || paddingMask.size(0) != batch
                || paddingMask.size(1) != past + newTokens))
            throw new IllegalArgumentException("attention mask must be (B, past+T) = (" + batch + ", " + (past + newTokens)
                    + "), got " + java.util.Arrays.toString(paddingMask.shape()));
        this.paddingMask = paddingMask;
        this.cache = cache;
        this.ops = ops == null ? LayerOps.PLAIN : ops;
        this.causal = causal;
        attendMask(); // eagerly: it must belong to the caller's scope, not to the first block's inner one
    }

    /**
     * A decode step over independent slots (GRPO sampling): each row has its own positions and its own "may attend"
     * mask over the slot cache's fixed capacity, so that a row's result does not depend on the other rows.
     *
     * @param positions (B, T) int64 absolute position of each new token
     * @param attend    (B, 1, T, S) bool, true = may attend, with {@code S = cache.length() + T}
     */
    public static ForwardContext slots(Tensor positions, Tensor attend, KvCache cache, LayerOps ops, Device device) {
        ForwardContext c = new ForwardContext(positions.size(0), positions.size(1), null, cache, ops, true, device);
        c.attend = attend;
        c.rowPositions = positions;
        return c;
    }

    public long batch() { return batch; }

    /** T: positions computed in this call. */
    public long newTokens() { return newTokens; }

    /** Positions already in the cache. */
    public long past() { return past; }

    /** The KV cache to read and extend, or null. */
    public KvCache cache() { return cache; }

    public LayerOps ops() { return ops; }

    /** The padding mask (B, S), or null when every position is real. */
    public Tensor paddingMask() { return paddingMask; }

    /**
     * Boolean "may attend" mask broadcastable to {@code (B, 1, T, S)} (true = keep) combining causality and padding, or null when
     * nothing is masked (non-causal without padding). Causal-only calls without cache or padding also return null:
     * use {@link #isCausalOnly()} and SDPA's causal flag then.
     */
    public Tensor attendMask() {
        if (attend != null) return attend;
        if (isCausalOnly() || (!causal && paddingMask == null)) return null;
        long s = past + newTokens;
        Tensor m = null;
        if (causal) {
            // query i (absolute past+i) may see key j <= past+i
            Tensor q = Tensors.arange(past, past + newTokens, deviceOf()).view(newTokens, 1);
            Tensor k = Tensors.arange(s, deviceOf()).view(1, s);
            m = k.sub(q).lt(1).view(1, 1, newTokens, s); // (1,1,T,S)
        }
        if (paddingMask != null) {
            Tensor p = paddingMask.ne(0).view(batch, 1, 1, s); // (B,1,1,S)
            m = m == null ? p : m.logicalAnd(p);
        }
        attend = m; // broadcastable to (B, 1, T, S): SDPA takes it without materialising the expansion
        return attend;
    }

    /** True when the only masking is causal over a fresh sequence (SDPA's is_causal fast path applies). */
    public boolean isCausalOnly() { return causal && paddingMask == null && past == 0 && rowPositions == null; }

    /**
     * Position ids {@code (B, T)} from the padding mask as Hugging Face's OPT computes them:
     * {@code cumsum(mask) * mask - 1}, last T columns (padding gets -1). Without a mask: past..past+T-1.
     */
    public Tensor positionsFromMask() {
        if (rowPositions != null) return rowPositions;
        if (paddingMask == null) return positionsArange();
        Tensor m = paddingMask.to(DType.I64);
        Tensor pos = m.cumsum(1).mul(m).sub(1);
        return pos.narrow(1, past, newTokens);
    }

    /** Position ids {@code (B, T)} = past..past+T-1 for every row. */
    public Tensor positionsArange() {
        if (rowPositions != null) return rowPositions;
        return Tensors.arange(past, past + newTokens, deviceOf()).view(1, newTokens).expand(batch, newTokens);
    }

    private Device deviceOf() { return device; }
}
