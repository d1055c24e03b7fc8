package dev.frugal.rl;

/**
 * Group-relative advantages (DeepSeekMath, arXiv 2402.03300, §4.1.2 outcome supervision), as TRL computes them:
 * rewards are laid out prompt-major, {@code r[p·G + j]} being sample j of prompt p.
 *
 * <pre>
 *   A_i = (r_i − mean_{group(i)} r) / (σ + 1e-4)      σ = std of the group, of the batch, or 1 without the 1e-4 (none)
 * </pre>
 */
public final class Advantages {
    /** TRL's constant added to the standard deviation. */
    public static final double STD_EPS = 1e-4;

    private Advantages() {}

    /**
     * @param rewards prompt-major rewards, length {@code P·G}
     * @param groupSize G, samples per prompt (≥ 1, divides the length)
     */
    public static double[] compute(double[] rewards, int groupSize, ScaleRewards scale) {
        if (groupSize < 1 || rewards.length % groupSize != 0)
            throw new IllegalArgumentException("num_generations " + groupSize + " does not divide the batch of "
                    + rewards.length + " rewards: give a batch that is a multiple of the group size");
        double[] a = new double[rewards.length];
        double batchStd = std(rewards, 0, rewards.length);
        for (int p = 0; p < rewards.length / groupSize; p++) {
            int from = p * groupSize;
            double mean = mean(rewards, from, groupSize);
            double sigma = switch (scale) {
                case GROUP -> std(rewards, from, groupSize);
                case BATCH -> batchStd;
                case NONE -> Double.NaN;
            };
            for (int j = from; j < from + groupSize; j++) {
                double centred = rewards[j] - mean;
                a[j] = scale == ScaleRewards.NONE ? centred : centred / (sigma + STD_EPS);
            }
        }
        return a;
    }

    static double mean(double[] x, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) s += x[i];
        return s / n;
    }

    /** Unbiased standard deviation, as TRL's {@code nanstd}; 0 for a single value. */
    static double std(double[] x, int from, int n) {
        if (n < 2) return 0; // a group of one has no spread: its advantage is 0 (TRL gives NaN; 0 is the useful value)
        double m = mean(x, from, n), s = 0;
        for (int i = from; i < from + n; i++) s += (x[i] - m) * (x[i] - m);
        return Math.sqrt(s / (n - 1));
    }
}
