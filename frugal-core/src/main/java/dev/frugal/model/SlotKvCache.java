package dev.frugal.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * A KV cache of {@code slots} independent rows, each with room for {@code capacity} positions, allocated once:
 * keys and values {@code (slots, capacity, Hkv, D)} per layer. A decode step writes each row's new key and value at
 * that row's own position ({@link #setWritePositions}) and attends over the whole capacity under a per-row mask, so
 * the reductions of every row have the same length whatever the other rows hold: a row's logits do not depend on
 * which rows share the batch, how long they are, or how much of the capacity is empty (batch-invariant decoding).
 *
 * <p>Its memory is fixed when it is made: {@link #bytes()} is the sum of the libtorch allocations it holds.
 */
public final class SlotKvCache extends KvCache {
    private final Tensor[] keys;   // (S, L, Hkv, D) per layer
    private final Tensor[] values; // (S, L, Hkv, D) per layer
    private final int slots;
    private final int capacity;
    private Tensor writeRows;      // (S) int64: slot·L + position of the token written this step

    /**
     * @param layers   the model's block count
     * @param kvHeads  Hkv, key/value heads per layer
     * @param headDim  D
     */
    public SlotKvCache(int layers, int slots, int capacity, long kvHeads, long headDim, DType dtype, Device device) {
        super(layers);
        if (slots < 1 || capacity < 2)
            throw new IllegalArgumentException("a slot cache needs >= 1 slot and >= 2 positions, got " + slots + " x "
                    + capacity);
        this.slots = slots;
        this.capacity = capacity;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (int i = 0; i < layers; i++) {
            // zeros: an empty position must hold finite numbers (its attention weight is 0, and 0·NaN would be NaN)
            keys[i] = Tensors.zeros(dtype, device, slots, capacity, kvHeads, headDim).keep();
            values[i] = Tensors.zeros(dtype, device, slots, capacity, kvHeads, headDim).keep();
        }
    }

    public int slots() { return slots; }

    public int capacity() { return capacity; }

    /** Bytes of every key and value buffer, as libtorch allocated them. */
    public long bytes() {
        long b = 0;
        for (int i = 0; i < keys.length; i++) b += keys[i].nbytes() + values[i].nbytes();
        return b;
    }

    /**
     * The position each row writes at in the next step (one new token per row); rows that are idle write somewhere
     * harmless (their own row).
     */
    public void setWritePositions(long[] positions) {
        if (positions.length != slots) throw new IllegalArgumentException(positions.length + " positions for " + slots
                + " slots");
        long[] rows = new long[slots];
        for (int s = 0; s < slots; s++) {
            if (positions[s] < 0 || positions[s] >= capacity)
                throw new IllegalArgumentException("slot " + s + " position " + positions[s] + " is outside the capacity "
                        + capacity);
            rows[s] = (long) s * capacity + positions[s];
        }
        if (writeRows != null) writeRows.close();
        writeRows = Tensors.fromLongs(rows, slots).to(keys[0].device()).keep();
    }

    /**
     * Copies a prompt's keys and values (as a one-row {@link KvCache} holds them after its prefill,
     * {@code (1, Hkv, P, D)} per layer) into positions {@code 0..P-1} of {@code slot}.
     */
    public void load(int slot, KvCache prompt) {
        for (int i = 0; i < keys.length; i++) {
            Tensor k = prompt.layerKeys(i), v = prompt.layerValues(i);
            long p = k.size(2);
            if (p > capacity) throw new IllegalArgumentException("a prompt of " + p + " positions does not fit a slot of "
                    + capacity);
            keys[i].select(0, slot).narrow(0, 0, p).copyFrom(k.select(0, 0).transpose(0, 1)); // (P, Hkv, D)
            values[i].select(0, slot).narrow(0, 0, p).copyFrom(v.select(0, 0).transpose(0, 1));
        }
    }

    /** Writes this step's {@code k, v (S, Hkv, 1, D)} at each row's position; returns {@code (S, Hkv, L, D)} views. */
    @Override
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        if (writeRows == null) throw new IllegalStateException("setWritePositions before a slot decode step");
        if (k.size(0) != slots || k.size(2) != 1)
            throw new IllegalArgumentException("a slot step takes one new token per slot, got " + java.util.Arrays.toString(k.shape()));
        long hkv = k.size(1), d = k.size(3);
        Tensor flatK = keys[layer].view((long) slots * capacity, hkv, d);
        Tensor flatV = values[layer].view((long) slots * capacity, hkv, d);
        flatK.indexCopyInPlace(0, writeRows, k.select(2, 0)); // (S, Hkv, D) into rows slot·L + pos
        flatV.indexCopyInPlace(0, writeRows, v.select(2, 0));
        return new Tensor[] {keys[layer].transpose(1, 2), values[layer].transpose(1, 2)}; // (S, Hkv, L, D)
    }

    /** {@code capacity − 1}: a step sees the whole capacity as "past + 1 new", its mask says which positions are real. */
    @Override
    public long length() { return capacity - 1; }

    @Override
    public void close() {
        release(keys, values);
        if (writeRows != null) writeRows.close();
        writeRows = null;
        super.close();
    }
}
