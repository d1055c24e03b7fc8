package dev.frugal.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The PNG of test accuracy against the privacy spent. */
final class DpPlot {
    private DpPlot() {}

    /** Writes {@code points} (ε, accuracy) as a line chart to {@code png}. */
    static void accuracyVsEpsilon(List<double[]> points, String title, Path png) {
        double[] x = new double[points.size()], y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        XYChart chart = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle("ε spent (δ fixed)")
                .yAxisTitle("test accuracy").build();
        chart.addSeries("DP-SGD", x, y);
        chart.getStyler().setLegendVisible(false);
        try {
            String file = png.toString();
            BitmapEncoder.saveBitmap(chart, file.endsWith(".png") ? file.substring(0, file.length() - 4) : file,
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
