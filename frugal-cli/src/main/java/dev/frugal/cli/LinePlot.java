package dev.frugal.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts written as PNG files (XChart) that a person can read: a title saying what ran, axis titles with units,
 * tick labels with as many decimals as the data's range needs, markers where points are few, noisy per-step values
 * drawn faint behind their exponential moving average, held-out evaluations as points. A chart with fewer than two
 * points in all is not written at all.
 */
final class LinePlot {
    /** Up to this many points a line also shows a marker at each point. */
    static final int MARKER_LIMIT = 40;

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14)};

    /** How a series is drawn. */
    enum Kind {
        /** A measured curve: a line, with markers when points are few. */
        LINE,
        /** Noisy per-step values: faint raw line, plus its exponential moving average on top. */
        NOISY,
        /** Occasional evaluations: markers joined by a thin line. */
        POINTS
    }

    private record Series(String name, double[] x, double[] y, Kind kind) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    /**
     * @param title  what ran (model, data, key settings)
     * @param xLabel x-axis title with its unit, e.g. "step"
     * @param yLabel y-axis title with its unit, e.g. "loss (cross-entropy, nats)"
     */
    LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a measured curve {@code (x[i], y[i])} (markers when it has at most {@link #MARKER_LIMIT} points). */
    LinePlot series(String name, double[] x, double[] y) { return add(name, x, y, Kind.LINE); }

    /** Adds noisy per-step values: drawn faint, with their EMA (named "NAME, EMA") as the visible line. */
    LinePlot noisy(String name, double[] x, double[] y) { return add(name, x, y, Kind.NOISY); }

    /** Adds held-out evaluations, drawn as points. */
    LinePlot points(String name, double[] x, double[] y) { return add(name, x, y, Kind.POINTS); }

    private LinePlot add(String name, double[] x, double[] y, Kind kind) {
        if (x.length != y.length)
            throw new IllegalArgumentException("series " + name + ": " + x.length + " x values but " + y.length + " y values");
        if (x.length > 0) series.add(new Series(name, x.clone(), y.clone(), kind));
        return this;
    }

    /** Points over all series. */
    int pointCount() { return series.stream().mapToInt(s -> s.x.length).sum(); }

    /** Whether {@link #write} would draw a chart: at least two points in all. */
    boolean drawable() { return pointCount() >= 2; }

    /** The chart model (for tests and for {@link #write}). */
    XYChart chart() {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1100).height(560).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        Styler st = chart.getStyler();
        st.setChartTitleFont(titleFont(st.getChartTitleFont(), title, chart.getWidth()));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        st.setLegendVisible(series.size() > 1 || series.stream().anyMatch(s -> s.kind == Kind.NOISY));
        chart.getStyler().setXAxisDecimalPattern(pattern(all(0)));
        chart.getStyler().setYAxisDecimalPattern(pattern(all(1)));
        int c = 0;
        for (Series s : series) {
            Color color = PALETTE[c++ % PALETTE.length];
            boolean few = s.x.length <= MARKER_LIMIT;
            switch (s.kind) {
                case LINE -> {
                    XYSeries xs = chart.addSeries(s.name, s.x, s.y);
                    xs.setLineColor(color);
                    xs.setMarkerColor(color);
                    xs.setMarker(few ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                }
                case NOISY -> {
                    XYSeries raw = chart.addSeries(s.name + " (raw)", s.x, s.y);
                    raw.setLineColor(faint(color));
                    raw.setMarkerColor(faint(color));
                    raw.setLineStyle(new BasicStroke(1f));
                    raw.setMarker(few ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                    XYSeries ema = chart.addSeries(s.name + ", EMA " + emaSpan(s.x.length) + " steps", s.x, ema(s.y, emaSpan(s.x.length)));
                    ema.setLineColor(color);
                    ema.setMarker(SeriesMarkers.NONE);
                    ema.setLineStyle(new BasicStroke(2.5f));
                }
                case POINTS -> {
                    XYSeries xs = chart.addSeries(s.name, s.x, s.y);
                    xs.setLineColor(color);
                    xs.setMarkerColor(color);
                    xs.setMarker(SeriesMarkers.DIAMOND);
                    xs.setLineStyle(new BasicStroke(1f));
                }
            }
        }
        st.setMarkerSize(7);
        return chart;
    }

    /**
     * Writes the chart to {@code png} (parent directories created) when it has at least two points.
     *
     * @return whether a file was written
     */
    boolean write(Path png) {
        if (!drawable()) return false;
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            String f = png.toString();
            BitmapEncoder.saveBitmap(chart(), f.endsWith(".png") ? f.substring(0, f.length() - 4) : f,
                    BitmapEncoder.BitmapFormat.PNG);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + png + ": " + e.getMessage(), e);
        }
    }

    private double[] all(int axis) {
        return series.stream().flatMapToDouble(s -> Arrays.stream(axis == 0 ? s.x : s.y)).toArray();
    }

    /** The raw colour at a quarter opacity. */
    static Color faint(Color c) { return new Color(c.getRed(), c.getGreen(), c.getBlue(), 70); }

    /** Span of the EMA over {@code n} noisy points: about a tenth of them, 1 to 50. */
    static int emaSpan(int n) { return Math.max(1, Math.min(50, n / 10)); }

    /**
     * Bias-corrected exponential moving average with α = 2/(span+1) (as TensorBoard's smoothing, corrected so the
     * first values are not pulled towards 0): m_i = (1−α)m_{i−1} + α·y_i, reported m_i / (1 − (1−α)^{i+1}).
     */
    static double[] ema(double[] y, int span) {
        double a = 2.0 / (span + 1), m = 0, w = 0;
        double[] r = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            m = (1 - a) * m + a * y[i];
            w = (1 - a) * w + a;
            r[i] = m / w;
        }
        return r;
    }

    /**
     * A decimal pattern with as many decimals as the spread of {@code v} needs to tell ticks apart (ticks are about a
     * fifth of the range apart): 0.5 → "0.0", 0.03 → "0.000"; whole numbers when the range is wide.
     */
    static String pattern(double[] v) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            if (!Double.isFinite(d)) continue;
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        if (lo > hi) return "0";
        double range = hi - lo;
        if (range == 0) range = Math.abs(hi) > 0 ? Math.abs(hi) : 1;
        int decimals = (int) Math.max(0, Math.min(6, Math.ceil(-Math.log10(range / 5))));
        return decimals == 0 ? "#,##0" : "0." + "0".repeat(decimals);
    }

    /**
     * The title's font, made smaller (down to 9 pt) until a title that says all that ran fits the chart's width (XChart
     * centres the title over the plot area, which leaves ~120 px of the width to the axis titles and tick labels).
     */
    static java.awt.Font titleFont(java.awt.Font font, String title, int width) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        try {
            java.awt.Font f = font;
            while (f.getSize2D() > 9 && g.getFontMetrics(f).stringWidth(title) > width - 120) f = f.deriveFont(f.getSize2D() - 0.5f);
            return f;
        } finally {
            g.dispose();
        }
    }

    /** A number for a title: up to 3 significant digits, plain or scientific, e.g. 1e-3, 0.05, 16. */
    static String num(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-2 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.3g", v);
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        String s = String.format(Locale.ROOT, "%.2e", v); // 1.00e-03
        String[] p = s.split("e");
        String mant = p[0].replaceAll("0+$", "").replaceAll("\\.$", "");
        return mant + "e" + Integer.parseInt(p[1]);
    }
}
