package dev.frugal.dp;

import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-sample clipping engine for a set of trainable parameters. Each step, {@link #begin(long)} hands out a
 * {@link DpStep}: the {@link dev.frugal.model.LayerOps} to run the model's forward with, whose
 * {@link DpStep#backward(Tensor)} runs the backward and returns the clipped per-sample gradient sums.
 *
 * <p>Parameters are recognised by their storage (address, shape): a tied weight used by two layers (GPT-2's
 * {@code wte} as the LM head) is one parameter whose per-sample gradient is the sum of both uses, clipped once.
 * Parameters passed to the layers that are not in the trainable set are treated as frozen constants.
 */
public final class DpEngine {
    private final LinkedHashMap<String, Tensor> trainable;
    private final ClippingConfig config;
    private final LinkedHashMap<String, Double> bounds;
    private final Map<String, String> byStorage = new HashMap<>();

    /**
     * @param trainable parameter name → tensor, in the model's {@code named_parameters()} order; these tensors are
     *                  read (detached) by the forward and updated in place by the optimizer
     * @param config    clipping mode, algorithm and bounds
     */
    public DpEngine(LinkedHashMap<String, Tensor> trainable, ClippingConfig config) {
        if (trainable.isEmpty()) throw new IllegalArgumentException("no trainable parameters: nothing to train privately");
        this.trainable = new LinkedHashMap<>(trainable);
        this.config = config;
        this.bounds = config.boundsFor(List.copyOf(trainable.keySet()));
        trainable.forEach((n, t) -> {
            String prev = byStorage.put(key(t), n);
            if (prev != null) throw new IllegalArgumentException("parameters '" + prev + "' and '" + n + "' are the same"
                    + " tensor: list a tied weight once");
        });
    }

    private static String key(Tensor t) { return t.dataAddress() + Arrays.toString(t.shape()) + t.dtype(); }

    /** The trainable parameter name of {@code t}, or null for a frozen tensor. */
    String nameOf(Tensor t) { return t == null || t.numel() == 0 ? null : byStorage.get(key(t)); }

    public ClippingConfig config() { return config; }

    /** Trainable parameters in order. */
    public LinkedHashMap<String, Tensor> trainable() { return trainable; }

    /** Per-parameter bounds {@code C_l} (per-layer mode). */
    public Map<String, Double> bounds() { return bounds; }

    /** The L2 sensitivity of the clipped sum: the noise scale is {@code σ} times this. */
    public double sensitivity() { return config.sensitivity(List.copyOf(trainable.keySet())); }

    /** Starts a step over a batch of {@code batchSize ≥ 1} examples; run the forward with the returned ops. */
    public DpStep begin(long batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size " + batchSize + ": an empty Poisson batch has"
                + " no forward; use emptyBatch() (its noise still has to be added)");
        return new DpStep(this, batchSize);
    }

    /** Clipped sums of an empty batch: all zeros (the noisy step still happens, as the accountant assumes). */
    public ClippedGradients emptyBatch() {
        LinkedHashMap<String, Tensor> sums = new LinkedHashMap<>();
        try (Scope s = Scope.open()) {
            trainable.forEach((n, t) -> sums.put(n, Tensors.zeros(t.dtype(), t.device(), t.shape()).keep()));
        }
        return new ClippedGradients(sums, new LinkedHashMap<>(), 0, sensitivity());
    }

    double bound(String name) { return bounds.get(name); }
}
