package dev.frugal.fewshot;

/**
 * One episode's outcome.
 *
 * @param index       episode number
 * @param accuracy    fraction of the N·Q queries classified correctly
 * @param alignMillis wall time of IDP's alignment (0 for the other methods; fine-tuning's training time for FINETUNE)
 * @param logitsDigest a 64-bit digest of the query logits' float bits: two runs that agree here computed the same
 *                    logits bit for bit (a finer check than the accuracy, a multiple of 1/(N·Q))
 */
public record EpisodeResult(int index, double accuracy, double alignMillis, long logitsDigest)
        implements java.io.Serializable {
    public EpisodeResult {
        if (accuracy < 0 || accuracy > 1) throw new IllegalArgumentException("accuracy " + accuracy + " outside [0, 1]");
    }

    /** The digest of {@code logits}: SplitMix64's finaliser folded over their raw float bits, in order. */
    public static long digest(float[] logits) {
        long h = logits.length;
        for (float f : logits) {
            long z = (h ^ Float.floatToRawIntBits(f)) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = z ^ (z >>> 31);
        }
        return h;
    }
}
