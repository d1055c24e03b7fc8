package dev.frugal.dp;

/** How the clipped sum of per-sample gradients is computed; all three give the same result. */
public enum ClippingAlgorithm {
    /**
     * FlashDP (arXiv 2507.01154): each layer's per-sample norms are computed in its output-gradient hook during the
     * ordinary backward, by the ghost-norm identity or by explicit per-sample gradients, whichever costs less for the
     * layer's shapes; the layer is then clipped and summed at once and its temporaries are freed. Per-layer clipping
     * needs one backward; flat clipping runs a norm backward and then a summing backward over the same graph.
     */
    FLASH,
    /**
     * GhostClip (Li et al. 2022, arXiv 2110.05679) style: a first backward computes every norm with the ghost-norm
     * identity only, a second backward computes the clipped sums.
     */
    GHOST,
    /**
     * Opacus style: every parameter's per-sample gradients {@code (B, …)} are materialised during the backward, then
     * the norms are taken, clipped and summed. Memory grows with B × parameters.
     */
    EXPLICIT
}
