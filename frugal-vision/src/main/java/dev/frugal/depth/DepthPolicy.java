package dev.frugal.depth;

/** What reading a ground-truth depth map does with NaN, infinite or non-positive values. */
public enum DepthPolicy {
    /** Set them to 0 (= invalid, ignored by the metrics) and count them. */
    MASK,
    /** Refuse the sequence. */
    REFUSE
}
