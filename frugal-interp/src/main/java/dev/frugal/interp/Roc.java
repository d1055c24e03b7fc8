package dev.frugal.interp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ROC of circuits found at several thresholds against a known circuit, as ACDC's paper scores methods (section 4.2):
 * each circuit is one point (false-positive rate, true-positive rate) over the graph's edges; the curve runs from
 * (0, 0) through the points, sorted, to (1, 1), and its area is the trapezoid sum.
 */
public final class Roc {
    private Roc() {}

    /** One point per circuit: {fpr, tpr}. */
    public static List<double[]> points(List<Set<Edge>> circuits, Set<Edge> truth, Set<Edge> all) {
        int positives = 0;
        for (Edge e : all) if (truth.contains(e)) positives++;
        int negatives = all.size() - positives;
        if (positives == 0 || negatives == 0) throw new IllegalArgumentException("ROC needs true and false edges");
        List<double[]> pts = new ArrayList<>();
        for (Set<Edge> c : circuits) {
            int tp = 0, fp = 0;
            for (Edge e : c) {
                if (!all.contains(e)) continue;
                if (truth.contains(e)) tp++;
                else fp++;
            }
            pts.add(new double[] {fp / (double) negatives, tp / (double) positives});
        }
        return pts;
    }

    /** Area under the curve through (0,0), the points sorted by (fpr, tpr), and (1,1). */
    public static double auc(List<Set<Edge>> circuits, Set<Edge> truth, Set<Edge> all) {
        List<double[]> pts = new ArrayList<>(points(circuits, truth, all));
        pts.add(new double[] {0, 0});
        pts.add(new double[] {1, 1});
        pts.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        double area = 0;
        for (int i = 1; i < pts.size(); i++)
            area += (pts.get(i)[0] - pts.get(i - 1)[0]) * (pts.get(i)[1] + pts.get(i - 1)[1]) / 2;
        return area;
    }
}
