package dev.frugal.dp;

import dev.frugal.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The clipped per-sample gradient sums of one step, {@code Σ_i clip(g_i)} per parameter (parameter shape), before
 * noise. A DP optimizer consumes them exactly once: noise calibrated to one release must not be reused ({@link DpSgd}
 * adds its noise to them in place and hands them to its optimizers as gradients).
 */
public final class ClippedGradients implements AutoCloseable {
    private final LinkedHashMap<String, Tensor> sums;
    private final LinkedHashMap<String, Tensor> normsSquared;
    private final long batchSize;
    private final double sensitivity;
    private boolean consumed;

    ClippedGradients(LinkedHashMap<String, Tensor> sums, LinkedHashMap<String, Tensor> normsSquared, long batchSize,
                     double sensitivity) {
        this.sums = sums;
        this.normsSquared = normsSquared;
        this.batchSize = batchSize;
        this.sensitivity = sensitivity;
    }

    /** {@code Σ_i clip(g_i)} of {@code name}, the parameter's shape. */
    public Tensor sum(String name) {
        Tensor t = sums.get(name);
        if (t == null) throw new IllegalArgumentException("no clipped gradient for '" + name + "'; have " + sums.keySet());
        return t;
    }

    /** Every sum by parameter name, in parameter order. */
    public Map<String, Tensor> sums() { return Collections.unmodifiableMap(sums); }

    /** Per-sample gradient norms {@code (B)} of parameter {@code name} before clipping (a diagnostic). */
    public Tensor norms(String name) {
        Tensor n2 = normsSquared.get(name);
        if (n2 == null) throw new IllegalArgumentException("no norms for '" + name + "'");
        return n2.sqrt();
    }

    /** Per-sample norms {@code (B)} of the whole gradient (all parameters), before clipping. */
    public Tensor flatNorms() {
        Tensor total = null;
        for (Tensor n2 : normsSquared.values()) total = total == null ? n2 : total.add(n2);
        if (total == null) throw new IllegalStateException("no norms recorded (empty batch)");
        return total.sqrt();
    }

    /** Examples in the batch (0 for an empty Poisson batch). */
    public long batchSize() { return batchSize; }

    /** The L2 sensitivity the sums were clipped to. */
    public double sensitivity() { return sensitivity; }

    public boolean consumed() { return consumed; }

    /**
     * Marks the sums used by an optimizer step.
     *
     * @throws PrivacyGuaranteeException when they were already used: a second step with the same clipped gradients
     *                                   would release them twice with noise calibrated for one release
     */
    void consume() {
        if (consumed) throw new PrivacyGuaranteeException("these clipped gradients were already used by an optimizer"
                + " step; reusing them would release the same batch twice under noise accounted once. Run a new"
                + " forward and backward (DpEngine.begin) for every step");
        if (sums.values().stream().anyMatch(Tensor::isFreed))
            throw new PrivacyGuaranteeException("these clipped gradients were closed; compute new ones");
        consumed = true;
    }

    @Override
    public void close() {
        for (Tensor t : sums.values()) if (!t.isFreed()) t.close();
        for (Tensor t : normsSquared.values()) if (!t.isFreed()) t.close();
    }
}
