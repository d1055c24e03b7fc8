package dev.frugal.train;

import java.util.Arrays;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs: {@code count(t, p)} is the number of examples of class {@code t}
 * predicted as {@code p}. Rows are true classes, columns predictions (scikit-learn's layout).
 */
public final class ConfusionMatrix {

    private final long[][] counts;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
    }

    /**
     * Tallies {@code labels} against {@code predictions}, both in {@code [0, numClasses)}.
     *
     * @throws IllegalArgumentException when the arrays differ in length or hold a class out of range
     */
    public static ConfusionMatrix of(int[] labels, int[] predictions, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classification needs >= 2 classes, got " + numClasses);
        }
        if (labels.length != predictions.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predictions.length + " predictions");
        }
        long[][] c = new long[numClasses][numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses || predictions[i] < 0 || predictions[i] >= numClasses) {
                throw new IllegalArgumentException("example " + i + ": label " + labels[i] + " / prediction "
                        + predictions[i] + " outside [0, " + numClasses + ")");
            }
            c[labels[i]][predictions[i]]++;
        }
        return new ConfusionMatrix(c);
    }

    /** Number of classes K. */
    public int numClasses() {
        return counts.length;
    }

    /** Examples of class {@code actual} predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        return counts[actual][predicted];
    }

    /** A copy of the K×K counts (rows true, columns predicted). */
    public long[][] counts() {
        long[][] c = new long[counts.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].clone();
        }
        return c;
    }

    /** All examples. */
    public long total() {
        return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    }

    /** Examples on the diagonal. */
    public long correct() {
        long n = 0;
        for (int k = 0; k < counts.length; k++) {
            n += counts[k][k];
        }
        return n;
    }

    /** Examples of true class {@code k} (row sum). */
    public long support(int k) {
        return Arrays.stream(counts[k]).sum();
    }

    /** Examples predicted as {@code k} (column sum). */
    public long predicted(int k) {
        long n = 0;
        for (long[] row : counts) {
            n += row[k];
        }
        return n;
    }

    /** The matrix as aligned text with row and column headers {@code names} (one per class). */
    public String format(String... names) {
        if (names.length != counts.length) {
            throw new IllegalArgumentException(counts.length + " classes but " + names.length + " names");
        }
        int w = Math.max(8, Arrays.stream(names).mapToInt(String::length).max().orElse(0) + 2);
        for (long[] row : counts) {
            for (long v : row) {
                w = Math.max(w, Long.toString(v).length() + 2);
            }
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s", "true\\pred"));
        for (String n : names) {
            sb.append(String.format(Locale.ROOT, "%" + w + "s", n));
        }
        for (int t = 0; t < counts.length; t++) {
            sb.append('\n').append(String.format(Locale.ROOT, "%-" + w + "s", names[t]));
            for (long v : counts[t]) {
                sb.append(String.format(Locale.ROOT, "%" + w + "d", v));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix c && Arrays.deepEquals(counts, c.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix" + Arrays.deepToString(counts);
    }
}
