package dev.frugal.model;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * Batch-invariant decoding over independent slots (for GRPO's samplers): a prompt is prefilled alone (batch 1), its
 * keys and values are copied into a free slot of a {@link SlotKvCache}, and every decode step advances all slots by one
 * token, each at its own position, under a per-row mask over the fixed capacity. A row's logits then depend on its own
 * tokens only, never on which rows share the step, their lengths, or the empty slots: every scheduler that feeds the
 * same tokens to a slot gets the same logits, bit for bit (measured in {@code SlotDecoderTest}).
 *
 * <p>Two things make that hold on a CPU. (1) Every GEMM multiplies a block of exactly {@link #GEMM_ROWS} rows
 * ({@link RowInvariantOps}; rows of the padding are not multiplied): BLAS changes kernels and blocking with the row
 * count. 8-row blocks gave every row offset the same bits on this machine's OpenBLAS (AVX2); 16-row blocks did not,
 * and 1-row blocks always do ({@code -Dfrugal.slot.gemmRows=1}) at a higher cost: {@code SlotDecoderTest} is the check. (2) A step always runs a multiple of {@link #ROW_ALIGN} rows, idle ones padding
 * the batch: ATen's element-wise loops compute the last {@code numel mod 16} elements of a tensor with scalar code
 * (AVX2: two 8-float vectors per iteration), whose {@code exp}/{@code tanh} differ from the vector ones in the last bit,
 * so a row's activations would otherwise depend on how many rows follow it. The padding rows cost compute and KV
 * memory; {@link #kvBytes()} counts them.
 *
 * <p>Not thread-safe; {@link #close()} frees the cache.
 */
public final class SlotDecoder implements AutoCloseable {
    private final CausalLM model;
    private final int slots;
    private final int capacity;
    private SlotKvCache cache; // made at the first load, when the key/value shape is known
    /** Rows per GEMM block (see the class comment). */
    public static final int GEMM_ROWS = Integer.getInteger("frugal.slot.gemmRows", 8);
    /** Granularity of the step batch (two AVX2 float vectors). */
    public static final int ROW_ALIGN = 16;
    private final RowInvariantOps ops;
    private final int rows; // slots rounded up to ROW_ALIGN

    /**
     * @param capacity positions per slot: the longest prompt plus the most new tokens (≤ the model's positions)
     */
    public SlotDecoder(CausalLM model, int slots, int capacity) {
        if (capacity > model.config().maxPositions())
            throw new IllegalArgumentException("a slot of " + capacity + " positions exceeds the model's "
                    + model.config().maxPositions() + " positions: shorten the prompts or --max-completion-length");
        this.model = model;
        this.slots = slots;
        this.capacity = capacity;
        this.rows = (slots + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
        this.ops = new RowInvariantOps(GEMM_ROWS, slots); // padding rows: zeros, no GEMM
    }

    /** A prompt after its prefill: its one-row cache and the logits of its last position. */
    public record Prefill(KvCache cache, float[] lastLogits, int length) implements AutoCloseable {
        @Override
        public void close() { cache.close(); }
    }

    /** Runs the prompt alone (batch 1) and keeps its cache. */
    public Prefill prefill(long[] prompt) {
        KvCache kv = new KvCache(model.blockParams().size());
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            Tensor ids = Tensors.fromLongs(prompt, 1, prompt.length).to(model.device());
            Tensor logits = model.logits(ids, null, kv, null);                        // (1, P, V)
            float[] last = logits.select(1, prompt.length - 1).select(0, 0).toFloatArray(); // (V)
            return new Prefill(kv, last, prompt.length);
        }
    }

    /** Copies a prefilled prompt into {@code slot}, positions 0..P-1. */
    public void load(int slot, Prefill p) {
        java.util.Objects.checkIndex(slot, slots);
        if (cache == null) {
            Tensor k = p.cache().layerKeys(0); // (1, Hkv, P, D)
            cache = new SlotKvCache(model.blockParams().size(), rows, capacity, k.size(1), k.size(3), k.dtype(),
                    k.device());
        }
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            cache.load(slot, p.cache());
        }
    }

    /**
     * One decode step for every slot.
     *
     * @param tokens    (S) the token each slot feeds now (any valid id for an idle slot)
     * @param positions (S) the position of that token in its slot (0 for an idle slot)
     * @return logits {@code [S][V]} of the next token
     */
    public float[][] step(long[] tokens, long[] positions) {
        if (cache == null) throw new IllegalStateException("load a prompt before the first step");
        if (tokens.length != slots || positions.length != slots)
            throw new IllegalArgumentException("a step takes one token and one position per slot (" + slots + ")");
        tokens = java.util.Arrays.copyOf(tokens, rows);       // padding rows: token 0 at position 0
        positions = java.util.Arrays.copyOf(positions, rows);
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            cache.setWritePositions(positions);
            Tensor ids = Tensors.fromLongs(tokens, rows, 1).to(model.device());   // (R, 1)
            Tensor pos = Tensors.fromLongs(positions, rows, 1).to(model.device()); // (R, 1)
            // row s may attend positions j ≤ pos_s of its own slot: (S, 1, 1, L)
            Tensor attend = Tensors.arange(capacity, model.device()).view(1, capacity).sub(pos).lt(1)
                    .view(rows, 1, 1, capacity);
            ForwardContext ctx = ForwardContext.slots(pos, attend, cache, ops, model.device());
            Tensor h = model.embed(ids, ctx);
            for (int i = 0; i < model.blockParams().size(); i++) h = model.block(i, h, ctx);
            Tensor logits = model.head(h, ctx).select(1, 0).narrow(0, 0, slots); // (S, V)
            long v = logits.size(1);
            float[] flat = logits.contiguous().toFloatArray();
            float[][] out = new float[slots][];
            for (int r = 0; r < slots; r++) out[r] = java.util.Arrays.copyOfRange(flat, (int) (r * v), (int) ((r + 1) * v));
            return out;
        }
    }

    public int slots() { return slots; }

    public int capacity() { return capacity; }

    /** Rows a step computes and the cache holds: the slots rounded up to {@link #ROW_ALIGN}. */
    public int rows() { return rows; }

    /** Bytes of the slot cache's buffers (0 before the first load). */
    public long kvBytes() { return cache == null ? 0 : cache.bytes(); }

    /** Bytes one slot row needs for {@code capacity} positions, from a prefilled prompt's key/value shape and dtype. */
    public static long bytesPerRow(CausalLM model, Prefill p, int capacity) {
        Tensor k = p.cache().layerKeys(0);
        return 2L * model.blockParams().size() * capacity * k.size(1) * k.size(3) * k.dtype().bytes();
    }

    @Override
    public void close() {
        if (cache != null) cache.close();
        cache = null;
    }
}
