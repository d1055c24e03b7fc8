package dev.frugal.dp;

/** The {@code dev.frugal.train} optimizer that applies DP-SGD's noisy gradient. */
public enum DpOptimizer {
    /** Plain SGD with heavy-ball momentum (the DP-SGD of Abadi et al.). */
    SGD,
    /** AdamW (decoupled weight decay), β = (0.9, 0.999), ε = 1e-8. */
    ADAMW
}
