package dev.frugal.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * The GRPO reward curve, drawn by {@link LinePlot} like every other training plot: the per-step mean reward faint
 * behind its moving average, held-out evaluations as points.
 */
final class RlPlot {
    private RlPlot() {}

    /**
     * @param train (step, mean reward) per step
     * @param eval   (step, held-out exact match of sampled completions)
     * @param greedy (step, held-out greedy exact match)
     * @return whether a chart was written (none with fewer than two points)
     */
    static boolean rewardCurve(List<double[]> train, List<double[]> eval, List<double[]> greedy, String title, Path png) {
        LinePlot p = new LinePlot(title, "GRPO step", "exact-match reward (fraction of completions)");
        if (!train.isEmpty()) p.noisy("training batch mean", col(train, 0), col(train, 1));
        if (!eval.isEmpty()) p.points("held-out, sampled", col(eval, 0), col(eval, 1));
        if (!greedy.isEmpty()) p.points("held-out, greedy", col(greedy, 0), col(greedy, 1));
        return p.write(png);
    }

    private static double[] col(List<double[]> pts, int k) {
        double[] v = new double[pts.size()];
        for (int i = 0; i < v.length; i++) v[i] = pts.get(i)[k];
        return v;
    }
}
