package dev.frugal.influence.experiment;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Correlations and ranking scores used to check predictions against retraining. */
public final class Stats {
    private Stats() {}

    /** Pearson's r of {@code a} and {@code b}; NaN when either is constant. */
    public static double pearson(double[] a, double[] b) {
        if (a.length != b.length || a.length < 2) throw new IllegalArgumentException("need two equal arrays of >= 2"
                + " values, got " + a.length + " and " + b.length);
        double ma = Arrays.stream(a).average().orElseThrow(), mb = Arrays.stream(b).average().orElseThrow();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** Ranks 1..n with ties given their mean rank. */
    public static double[] ranks(double[] a) {
        Integer[] idx = IntStream.range(0, a.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble(i -> a[i]));
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; ) {
            int j = i;
            while (j + 1 < a.length && a[idx[j + 1]] == a[idx[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = mean;
            i = j + 1;
        }
        return r;
    }

    /** Spearman's ρ: Pearson's r of the ranks. */
    public static double spearman(double[] a, double[] b) { return pearson(ranks(a), ranks(b)); }

    /** ROC AUC of {@code score} for the positives {@code positive} (Mann–Whitney U with mid-ranks for ties). */
    public static double auc(double[] score, boolean[] positive) {
        double[] r = ranks(score);
        long pos = 0;
        double sum = 0;
        for (int i = 0; i < r.length; i++) if (positive[i]) { pos++; sum += r[i]; }
        long neg = r.length - pos;
        if (pos == 0 || neg == 0) throw new IllegalArgumentException("AUC needs positives and negatives, got " + pos
                + " and " + neg);
        return (sum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Fraction of the positives among the top {@code fraction} of examples by score (highest first). */
    public static double foundInTop(double[] score, boolean[] positive, double fraction) {
        int[] order = descending(score);
        int k = (int) Math.round(fraction * score.length);
        long pos = IntStream.range(0, positive.length).filter(i -> positive[i]).count();
        long found = IntStream.range(0, k).filter(i -> positive[order[i]]).count();
        return pos == 0 ? Double.NaN : (double) found / pos;
    }

    /** Indices by descending score. */
    public static int[] descending(double[] score) {
        return IntStream.range(0, score.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> score[i]).reversed())
                .mapToInt(Integer::intValue).toArray();
    }
}
