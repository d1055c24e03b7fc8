package dev.frugal.depth;

import java.util.ArrayList;
import java.util.List;

/**
 * Trajectory errors of chained relative poses against ground truth, after aligning the first poses and fitting
 * the one scale a monocular method cannot know, {@code s = Σ p·g / Σ p·p} over the camera positions (least squares):
 * <pre>ATE = √mean |s·p_i − g_i|²        RPE_t = mean |s·Δp_i − Δg_i|,  RPE_r = mean angle(ΔR̂_iᵀ ΔR_i)</pre>
 * with {@code Δ} the motion between consecutive frames expressed in the earlier frame.
 *
 * @param ate      absolute trajectory error (units of the ground truth)
 * @param rpeTrans mean relative translation error per frame step
 * @param rpeRotDeg mean relative rotation error per frame step (degrees)
 * @param scale    the fitted scale
 */
public record TrajectoryMetrics(double ate, double rpeTrans, double rpeRotDeg, double scale) {

    /**
     * Errors of a trajectory given as relative motions: {@code predRel.get(k)} and {@code gtRel.get(k)} are
     * {@code T_{k+1}←k} (points of frame k into frame k+1), as {@link Sequence#relativePose} gives them.
     */
    public static TrajectoryMetrics ofRelative(List<Se3> predRel, List<Se3> gtRel) {
        if (predRel.size() != gtRel.size() || predRel.isEmpty())
            throw new IllegalArgumentException("need the same non-zero number of predicted and true steps, got " + predRel.size() + " and " + gtRel.size());
        List<Se3> p = chain(predRel), g = chain(gtRel);
        double num = 0, den = 0;
        for (int i = 0; i < p.size(); i++) {
            double[] a = p.get(i).t(), b = g.get(i).t();
            for (int j = 0; j < 3; j++) {
                num += a[j] * b[j];
                den += a[j] * a[j];
            }
        }
        double s = den > 0 ? num / den : 1;
        double ate = 0;
        for (int i = 0; i < p.size(); i++) {
            double[] a = p.get(i).t(), b = g.get(i).t();
            for (int j = 0; j < 3; j++) ate += (s * a[j] - b[j]) * (s * a[j] - b[j]);
        }
        ate = Math.sqrt(ate / p.size());
        double rt = 0, rr = 0;
        for (int k = 0; k < predRel.size(); k++) {
            Se3 dp = predRel.get(k).inverse(), dg = gtRel.get(k).inverse(); // motion of frame k+1 in frame k
            double e = 0;
            for (int j = 0; j < 3; j++) e += (s * dp.t()[j] - dg.t()[j]) * (s * dp.t()[j] - dg.t()[j]);
            rt += Math.sqrt(e);
            rr += Math.toDegrees(new Se3(dp.r(), new double[3]).inverse().compose(new Se3(dg.r(), new double[3])).angle());
        }
        return new TrajectoryMetrics(ate, rt / predRel.size(), rr / predRel.size(), s);
    }

    /** Camera poses in the first frame's coordinates, {@code T_0←k}, from the steps {@code T_{k+1}←k}. */
    static List<Se3> chain(List<Se3> rel) {
        List<Se3> out = new ArrayList<>();
        Se3 acc = Se3.identity();
        out.add(acc);
        for (Se3 step : rel) {
            acc = acc.compose(step.inverse());
            out.add(acc);
        }
        return out;
    }
}
