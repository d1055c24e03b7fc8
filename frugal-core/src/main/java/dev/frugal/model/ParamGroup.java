package dev.frugal.model;

import dev.frugal.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one stage of a model (the embedding, one block, or the head) under their full Hugging Face names,
 * in {@code named_parameters()} order. Stages read their tensors from here on every forward, so a tier manager (ZO2)
 * can swap in resident copies, and an optimizer can update them in place.
 */
public final class ParamGroup {
    private final String name;
    private final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();

    public ParamGroup(String name) { this.name = name; }

    /** The stage name, e.g. {@code "embedding"}, {@code "block.3"}, {@code "head"}. */
    public String name() { return name; }

    /** Adds (or replaces) a parameter; the tensor is kept alive until {@link #close()}. */
    public ParamGroup put(String fullName, Tensor t) {
        Tensor old = params.put(fullName, t.keep());
        if (old != null && old != t) old.close();
        return this;
    }

    /** The tensor of {@code fullName}. */
    public Tensor get(String fullName) {
        Tensor t = params.get(fullName);
        if (t == null) throw new IllegalArgumentException("stage " + name + " has no parameter '" + fullName + "'");
        return t;
    }

    public boolean contains(String fullName) { return params.containsKey(fullName); }

    public List<String> names() { return List.copyOf(params.keySet()); }

    public Map<String, Tensor> asMap() { return Collections.unmodifiableMap(params); }

    /** Total element count. */
    public long numel() {
        long n = 0;
        for (Tensor t : params.values()) n += t.numel();
        return n;
    }

    /**
     * Drops every tensor reference held here without removing the stage (an offloading engine empties a block's group
     * while the block lives in a slower tier, and {@link #put}s working copies back for compute).
     */
    public void clear() {
        for (Tensor t : params.values()) if (!t.isFreed()) t.close();
        params.clear();
    }

    /** Frees every tensor held here. */
    public void close() {
        for (Tensor t : params.values()) if (!t.isFreed()) t.close();
        params.clear();
    }
}
