package dev.frugal.cli;

import java.nio.file.Path;
import java.util.List;

/** The PNG of test accuracy against the privacy spent, δ stated on the axis and in the title. */
final class DpPlot {
    private DpPlot() {}

    /** The chart of {@code points} (ε, accuracy): one marker per evaluation. */
    static LinePlot accuracyVsEpsilonPlot(List<double[]> points, String what, double delta) {
        double[] x = new double[points.size()], y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        String d = LinePlot.num(delta);
        return new LinePlot("DP-SGD, δ = " + d + ": " + what, "ε spent (RDP accountant, δ = " + d + ")",
                "test accuracy (fraction correct)").series("test accuracy after each epoch (ε = 0: before training)", x, y);
    }

    /**
     * Writes {@code points} (ε, accuracy) as a chart to {@code png}; nothing when there are fewer than two points.
     *
     * @return whether the file was written
     */
    static boolean accuracyVsEpsilon(List<double[]> points, String what, double delta, Path png) {
        return accuracyVsEpsilonPlot(points, what, delta).write(png);
    }
}
