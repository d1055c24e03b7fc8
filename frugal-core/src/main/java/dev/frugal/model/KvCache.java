package dev.frugal.model;

import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/**
 * Keys and values of every layer for the positions seen so far, {@code (B, Hkv, S, D)} each. Its tensors outlive the
 * per-step scopes of a generation loop; {@link #close()} frees them. {@link SlotKvCache} overrides it with
 * fixed-capacity per-row storage.
 */
public class KvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private long length;

    public KvCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
    }

    /** Positions cached so far. */
    public long length() { return length; }

    /**
     * Appends this step's {@code k, v (B, Hkv, T, D)} to layer {@code layer} and returns the full {@code {K, V}}
     * {@code (B, Hkv, S+T, D)}. The length advances when the last layer appends.
     */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        Tensor nk = keys[layer] == null ? k.contiguous() : Tensors.cat(List.of(keys[layer], k), 2);
        Tensor nv = values[layer] == null ? v.contiguous() : Tensors.cat(List.of(values[layer], v), 2);
        replace(layer, nk.keep(), nv.keep());
        if (layer == keys.length - 1) length = nk.size(2);
        return new Tensor[] {nk, nv};
    }

    /** Layer {@code layer}'s cached keys {@code (B, Hkv, S, D)}, or null before its first append. */
    public Tensor layerKeys(int layer) { return keys[layer]; }

    /** Layer {@code layer}'s cached values {@code (B, Hkv, S, D)}, or null before its first append. */
    public Tensor layerValues(int layer) { return values[layer]; }

    private void replace(int layer, Tensor k, Tensor v) {
        if (keys[layer] != null) keys[layer].close();
        if (values[layer] != null) values[layer].close();
        keys[layer] = k;
        values[layer] = v;
    }

    /** Closes every layer's keys and values and clears their slots (a layer not yet filled is null). */
    static void release(Tensor[] keys, Tensor[] values) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) keys[i].close();
            if (values[i] != null) values[i].close();
            keys[i] = values[i] = null;
        }
    }

    @Override
    public void close() {
        release(keys, values);
        length = 0;
    }
}
