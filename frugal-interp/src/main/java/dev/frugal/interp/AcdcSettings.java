package dev.frugal.interp;

/**
 * One ACDC run's knobs.
 *
 * @param threshold       τ: an edge is removed when removing it raises the metric by less than τ
 * @param ablation        what a removed edge carries
 * @param precision       how components not under investigation compute (PAHQ when not FP32)
 * @param reuseCache      start each patched forward at the investigated receiver's block, taking earlier blocks
 *                        from the clean cache (exact: no removed edge enters an earlier receiver), and run the LM
 *                        head only at the positions the metric reads
 * @param edgesPerForward edges tested per forward along the batch dimension (speculatively, as cumulative
 *                        removals; exact); 1 = ACDC's one edge per forward
 * @param maxEdgeTests    the sweep stops after this many edge tests, in ACDC's order; every edge not tested by then
 *                        stays in the circuit (a capped sweep, for benchmarks on large graphs); 0 = no cap
 */
public record AcdcSettings(double threshold, Ablation ablation, Precision precision, boolean reuseCache,
                           int edgesPerForward, int maxEdgeTests) {
    /** What a removed edge carries: the sender's output on the corrupted input, or zero. */
    public enum Ablation { CORRUPTED, ZERO }

    public AcdcSettings {
        dev.frugal.InvalidSettingException.require(threshold >= 0 && !Double.isInfinite(threshold), "threshold",
                "(τ) must be a finite number ≥ 0, got " + threshold);
        dev.frugal.InvalidSettingException.require(edgesPerForward >= 1, "edgesPerForward", "must be ≥ 1, got " + edgesPerForward);
        dev.frugal.InvalidSettingException.require(maxEdgeTests >= 0, "maxEdgeTests",
                "must be ≥ 0 (0: no cap), got " + maxEdgeTests);
        if (ablation == null || precision == null) throw new IllegalArgumentException("ablation and precision are required");
    }

    /** Every edge tested. */
    public AcdcSettings(double threshold, Ablation ablation, Precision precision, boolean reuseCache, int edgesPerForward) {
        this(threshold, ablation, precision, reuseCache, edgesPerForward, 0);
    }

    /** Plain ACDC: float32, full recompute, one edge per forward. */
    public static AcdcSettings reference(double threshold) {
        return new AcdcSettings(threshold, Ablation.CORRUPTED, Precision.FP32, false, 1);
    }

    /** PAHQ with the exact accelerations: int8 elsewhere, cache reuse, 8 edges per forward. */
    public static AcdcSettings pahq(double threshold) {
        return new AcdcSettings(threshold, Ablation.CORRUPTED, Precision.INT8, true, 8);
    }

    /** Float32 with only the exact accelerations (cache reuse, 8 edges per forward): the same circuit as reference. */
    public static AcdcSettings fastExact(double threshold) {
        return new AcdcSettings(threshold, Ablation.CORRUPTED, Precision.FP32, true, 8);
    }

    public AcdcSettings withThreshold(double t) {
        return new AcdcSettings(t, ablation, precision, reuseCache, edgesPerForward, maxEdgeTests);
    }

    public AcdcSettings withAblation(Ablation a) {
        return new AcdcSettings(threshold, a, precision, reuseCache, edgesPerForward, maxEdgeTests);
    }

    /** These settings with the sweep stopped after {@code n} edge tests (0: no cap). */
    public AcdcSettings withMaxEdgeTests(int n) {
        return new AcdcSettings(threshold, ablation, precision, reuseCache, edgesPerForward, n);
    }
}
