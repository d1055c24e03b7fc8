package dev.frugal.rl;

import java.util.ArrayList;
import java.util.List;

/**
 * Predicts a completion's length from its prompt tokens (the token-conditioned predictor of Infinite Sampling §3.3;
 * the authors train a small regressor on prompt representations, liangyuwang/LLM-Length-Estimation). Here: ridge
 * regression on a hashed bag of prompt tokens plus the prompt length, refitted on every completion seen so far. Before
 * any observation it predicts the prompt length.
 */
public final class LengthPredictor {
    private static final int BUCKETS = 64;
    private static final int DIM = BUCKETS + 2; // bias, prompt length, token buckets
    private final double ridge;
    private final List<double[]> xs = new ArrayList<>();
    private final List<Double> ys = new ArrayList<>();
    private double[] w;

    /** @param ridge L2 penalty λ of the least-squares fit (> 0) */
    public LengthPredictor(double ridge) {
        if (!(ridge > 0)) throw new IllegalArgumentException("ridge must be > 0, got " + ridge);
        this.ridge = ridge;
    }

    /** Predicted completion length in tokens (≥ 1). */
    public double predict(long[] prompt) {
        if (w == null) return Math.max(1, prompt.length);
        double[] x = features(prompt);
        double y = 0;
        for (int i = 0; i < DIM; i++) y += w[i] * x[i];
        return Math.max(1, y);
    }

    /** Adds observed lengths and refits. */
    public void observe(List<long[]> prompts, int[] lengths) {
        for (int i = 0; i < lengths.length; i++) {
            xs.add(features(prompts.get(i)));
            ys.add((double) lengths[i]);
        }
        fit();
    }

    public int observations() { return ys.size(); }

    private static double[] features(long[] prompt) {
        double[] x = new double[DIM];
        x[0] = 1;
        x[1] = prompt.length;
        for (long t : prompt) x[2 + (int) Math.floorMod(t * 0x9E3779B97F4A7C15L >>> 40, BUCKETS)] += 1;
        return x;
    }

    /** w = (XᵀX + λI)⁻¹ Xᵀy by Gaussian elimination with partial pivoting. */
    private void fit() {
        double[][] a = new double[DIM][DIM + 1];
        for (int n = 0; n < ys.size(); n++) {
            double[] x = xs.get(n);
            for (int i = 0; i < DIM; i++) {
                for (int j = 0; j < DIM; j++) a[i][j] += x[i] * x[j];
                a[i][DIM] += x[i] * ys.get(n);
            }
        }
        for (int i = 1; i < DIM; i++) a[i][i] += ridge; // the bias is not penalised
        a[0][0] += 1e-9;
        for (int c = 0; c < DIM; c++) {
            int p = c;
            for (int r = c + 1; r < DIM; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
            double[] t = a[c]; a[c] = a[p]; a[p] = t;
            for (int r = 0; r < DIM; r++) {
                if (r == c || a[c][c] == 0) continue;
                double f = a[r][c] / a[c][c];
                for (int k = c; k <= DIM; k++) a[r][k] -= f * a[c][k];
            }
        }
        w = new double[DIM];
        for (int i = 0; i < DIM; i++) w[i] = a[i][i] == 0 ? 0 : a[i][DIM] / a[i][i];
    }

    /** Mean absolute error and Spearman rank correlation of predictions against actual lengths. */
    public record Error(double mae, double spearman, int n) {}

    public static Error error(double[] predicted, int[] actual) {
        int n = actual.length;
        double mae = 0;
        for (int i = 0; i < n; i++) mae += Math.abs(predicted[i] - actual[i]);
        double[] ra = ranks(predicted), rb = ranks(java.util.Arrays.stream(actual).asDoubleStream().toArray());
        return new Error(n == 0 ? Double.NaN : mae / n, pearson(ra, rb), n);
    }

    private static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[n];
        for (int i = 0; i < n; ) { // average ranks for ties
            int j = i;
            while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) j++;
            for (int k = i; k <= j; k++) r[idx[k]] = (i + j) / 2.0;
            i = j + 1;
        }
        return r;
    }

    private static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }
}
