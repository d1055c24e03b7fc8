package dev.frugal.rl;

/**
 * What a sampling run cost.
 *
 * @param slots           decode slots used (g, or P·G for full)
 * @param rows            rows each step computed (slots rounded up for batch invariance)
 * @param decodeSteps     batched decode steps (one token for every active slot)
 * @param tokens          completion tokens produced
 * @param kvPeakBytes     most KV bytes held at once: the slot cache plus prompt caches waiting for their group
 * @param seconds         wall time
 * @param grouping        how the infinite scheduler grouped ("fptas", "lpt" when the FPTAS refused the size, "-")
 * @param predicted       per completion (prompt-major), the predicted length (NaN outside infinite)
 */
public record SamplingStats(int slots, int rows, long decodeSteps, long tokens, long kvPeakBytes, double seconds,
                            String grouping, double[] predicted) {
    /** Completion tokens per second. */
    public double tokensPerSecond() { return tokens / Math.max(seconds, 1e-9); }
}
