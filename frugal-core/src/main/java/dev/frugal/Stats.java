package dev.frugal;

import java.util.Arrays;
import java.util.Collection;

/** Summary statistics the benchmarks and reports share. */
public final class Stats {
    private Stats() {}

    /**
     * The median: the middle value, or the mean of the two middle values for an even count; NaN for none. The input
     * is not changed.
     */
    public static double median(double... xs) {
        if (xs.length == 0) return Double.NaN;
        double[] v = xs.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** {@link #median(double...)} of a collection. */
    public static double median(Collection<Double> xs) {
        return median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
