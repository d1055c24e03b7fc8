package dev.frugal.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The GRPO reward curve: per-step mean reward, its smoothed line, and held-out evaluations as points. */
final class RlPlot {
    private RlPlot() {}

    /**
     * @param train (step, mean reward) per step
     * @param eval  (step, held-out exact match)
     */
    static void rewardCurve(List<double[]> train, List<double[]> eval, String title, Path png) {
        XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("GRPO step")
                .yAxisTitle("exact-match reward (fraction)").build();
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        if (!train.isEmpty()) {
            double[] x = col(train, 0), y = col(train, 1), sm = new double[y.length];
            double ema = y[0];
            for (int i = 0; i < y.length; i++) sm[i] = ema = i == 0 ? y[0] : 0.8 * ema + 0.2 * y[i];
            XYSeries s = c.addSeries("training batch mean", x, y);
            s.setMarker(train.size() <= 40 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            c.addSeries("smoothed (EMA 0.8)", x, sm).setMarker(SeriesMarkers.NONE);
        }
        if (!eval.isEmpty()) {
            XYSeries e = c.addSeries("held-out greedy exact match", col(eval, 0), col(eval, 1));
            e.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            e.setMarker(SeriesMarkers.DIAMOND);
        }
        try {
            String f = png.toString();
            BitmapEncoder.saveBitmap(c, f.endsWith(".png") ? f.substring(0, f.length() - 4) : f, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + png + ": " + ex.getMessage(), ex);
        }
    }

    private static double[] col(List<double[]> pts, int k) {
        double[] v = new double[pts.size()];
        for (int i = 0; i < v.length; i++) v[i] = pts.get(i)[k];
        return v;
    }
}
