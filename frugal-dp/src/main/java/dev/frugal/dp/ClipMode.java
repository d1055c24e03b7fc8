package dev.frugal.dp;

/** How per-sample gradients are clipped. */
public enum ClipMode {
    /**
     * Each parameter tensor {@code l} is clipped on its own to its bound {@code C_l}: the per-sample gradient
     * {@code g_{i,l}} becomes {@code g_{i,l} · min(1, C_l / (‖g_{i,l}‖ + 1e-6))}. The sensitivity of the sum is
     * {@code C = √(Σ_l C_l²)}. This is what lets FlashDP clip inside the one backward pass, layer by layer.
     */
    PER_LAYER,
    /**
     * The whole per-sample gradient is clipped to {@code C} by its norm over all parameters (Abadi et al. 2016). Every
     * layer's norm must be known before any layer's gradient is clipped, so this needs a norm pass first.
     */
    FLAT
}
