package dev.frugal.depth;

import static dev.frugal.Stats.median;

import java.util.Arrays;

/**
 * The standard depth errors (Eigen et al.; Monodepth2's {@code compute_depth_errors}) over the valid pixels
 * ({@code minDepth < gt < maxDepth}), after median scaling {@code pred · median(gt)/median(pred)} when asked (a
 * monocular network knows depth only up to scale), predictions clamped to {@code [minDepth, maxDepth]}:
 * <pre>AbsRel = mean |d − g| / g     SqRel = mean (d − g)² / g     RMSE = √mean (d − g)²
 * RMSE log = √mean (log d − log g)²     δ_k = fraction with max(d/g, g/d) &lt; 1.25^k</pre>
 * with d the (scaled) prediction and g the ground truth.
 */
public record DepthMetrics(double absRel, double sqRel, double rmse, double rmseLog, double a1, double a2, double a3, double scale,
                           long pixels) {

    /** Errors of one map; {@code pred}, {@code gt} row-major of equal length. */
    public static DepthMetrics of(float[] pred, float[] gt, double minDepth, double maxDepth, boolean medianScaling) {
        if (pred.length != gt.length) throw new IllegalArgumentException("prediction has " + pred.length + " pixels, ground truth " + gt.length);
        int n = 0;
        double[] p = new double[gt.length], g = new double[gt.length];
        for (int i = 0; i < gt.length; i++) {
            if (gt[i] > minDepth && gt[i] < maxDepth && Float.isFinite(pred[i])) {
                p[n] = pred[i];
                g[n++] = gt[i];
            }
        }
        if (n == 0) throw new IllegalArgumentException("no valid ground-truth pixel in (" + minDepth + ", " + maxDepth + ")");
        p = Arrays.copyOf(p, n);
        g = Arrays.copyOf(g, n);
        double scale = medianScaling ? median(g) / median(p) : 1;
        double absRel = 0, sqRel = 0, se = 0, sel = 0, a1 = 0, a2 = 0, a3 = 0;
        for (int i = 0; i < n; i++) {
            double d = Math.max(minDepth, Math.min(maxDepth, p[i] * scale)), t = g[i];
            double thr = Math.max(d / t, t / d);
            if (thr < 1.25) a1++;
            if (thr < 1.25 * 1.25) a2++;
            if (thr < 1.25 * 1.25 * 1.25) a3++;
            absRel += Math.abs(d - t) / t;
            sqRel += (d - t) * (d - t) / t;
            se += (d - t) * (d - t);
            double l = Math.log(d) - Math.log(t);
            sel += l * l;
        }
        return new DepthMetrics(absRel / n, sqRel / n, Math.sqrt(se / n), Math.sqrt(sel / n), a1 / n, a2 / n, a3 / n, scale, n);
    }

    /** Frame-averaged errors of several maps (as Monodepth2 reports them). */
    public static DepthMetrics mean(java.util.List<DepthMetrics> ms) {
        if (ms.isEmpty()) throw new IllegalArgumentException("no depth metrics to average");
        double[] s = new double[8];
        long px = 0;
        for (DepthMetrics m : ms) {
            double[] v = {m.absRel, m.sqRel, m.rmse, m.rmseLog, m.a1, m.a2, m.a3, m.scale};
            for (int i = 0; i < 8; i++) s[i] += v[i];
            px += m.pixels;
        }
        int n = ms.size();
        return new DepthMetrics(s[0] / n, s[1] / n, s[2] / n, s[3] / n, s[4] / n, s[5] / n, s[6] / n, s[7] / n, px);
    }
}
