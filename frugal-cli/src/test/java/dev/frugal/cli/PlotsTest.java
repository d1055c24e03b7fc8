package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts' models: series, markers, smoothing, ticks, titles; and which charts a run directory gets. */
class PlotsTest {
    private static double[] range(int n) { return IntStream.rangeClosed(1, n).asDoubleStream().toArray(); }

    @Test
    void noisySeriesIsDrawnFaintBehindItsMovingAverage() {
        Random r = new Random(7);
        int n = 200;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) y[i] = 0.7 - 0.001 * i + 0.05 * r.nextGaussian();
        XYChart c = new LinePlot("ZO2 on minilm", "step", "loss (nats)").noisy("train loss", range(n), y).chart();
        List<XYSeries> s = new ArrayList<>(c.getSeriesMap().values());
        assertEquals(2, s.size(), "raw + EMA");
        XYSeries raw = s.get(0), ema = s.get(1);
        assertTrue(raw.getLineColor().getAlpha() < 128, "raw values faint");
        assertEquals(255, ema.getLineColor().getAlpha(), "moving average opaque");
        assertTrue(ema.getName().contains("EMA"), ema.getName());
        // the EMA is smoother: its step-to-step changes are much smaller than the raw ones
        double[] e = ema.getYData();
        assertTrue(roughness(e) < roughness(y) / 4, roughness(e) + " vs " + roughness(y));
        assertEquals(SeriesMarkers.NONE, raw.getMarker(), "no markers on 200 points");
        assertEquals("ZO2 on minilm", c.getTitle());
        assertTrue(c.getStyler().isLegendVisible());
    }

    private static double roughness(double[] y) {
        double s = 0;
        for (int i = 1; i < y.length; i++) s += Math.abs(y[i] - y[i - 1]);
        return s / (y.length - 1);
    }

    @Test
    void emaIsBiasCorrectedAndEqualsAConstant() {
        double[] e = LinePlot.ema(new double[] {2, 2, 2, 2}, 5);
        for (double v : e) assertEquals(2, v, 1e-12);
        assertEquals(3, LinePlot.ema(new double[] {3, 1}, 9)[0], 1e-12, "first value not pulled to 0");
    }

    @Test
    void fewPointsGetMarkersAndEvaluationsArePoints() {
        XYChart c = new LinePlot("t", "step", "accuracy (fraction)").series("curve", range(5), new double[] {1, 2, 3, 4, 5})
                .points("held-out", new double[] {0, 60}, new double[] {0.7, 0.9}).chart();
        for (XYSeries s : c.getSeriesMap().values()) assertFalse(s.getMarker() == SeriesMarkers.NONE, s.getName());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.983333333333333, 0.25, 1e-4, 12345.678})
    void tickPatternsAreShortEvenForOneValue(double v) {
        String p = LinePlot.pattern(new double[] {v});
        assertTrue(p.length() <= 8, p);
        String formatted = new java.text.DecimalFormat(p).format(v);
        assertTrue(formatted.length() <= 10, formatted);
    }

    @Test
    void tickDecimalsFollowTheRange() {
        assertEquals("0.000", LinePlot.pattern(new double[] {0.690, 0.693}).substring(0, 5));
        assertEquals("#,##0", LinePlot.pattern(new double[] {0, 500}));
        assertEquals("0.0", LinePlot.pattern(new double[] {0.5, 1.0}).substring(0, 3));
    }

    @Test
    void titleNumbersAreShort() {
        assertEquals("1e-3", LinePlot.num(1e-3));
        assertEquals("0.05", LinePlot.num(0.05));
        assertEquals("16", LinePlot.num(16));
        assertEquals("2.5e-5", LinePlot.num(2.5e-5));
    }

    @Test
    void aLongTitleFitsTheChartsWidth() {
        ZoTrainCommand.ZoOptions o = QuickstartCommand.settings(150, Path.of("/tmp/x"));
        String t = ZoPlots.title(o);
        XYChart c = new LinePlot(t, "step", "loss").series("a", new double[] {0, 1}, new double[] {0, 1}).chart();
        java.awt.Font f = c.getStyler().getChartTitleFont();
        java.awt.Graphics2D g = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB).createGraphics();
        int w = g.getFontMetrics(f).stringWidth(t);
        g.dispose();
        assertTrue(w <= c.getWidth() - 120, "title " + w + " px wide at " + f.getSize2D() + " pt on a " + c.getWidth() + " px chart: " + t);
        assertTrue(f.getSize2D() >= 9, "title font " + f.getSize2D());
        LinePlot shortOne = new LinePlot("short", "step", "loss").series("a", new double[] {0, 1}, new double[] {0, 1});
        assertTrue(shortOne.chart().getStyler().getChartTitleFont().getSize2D() > f.getSize2D(), "a short title keeps the default size");
    }

    @Test
    void singlePointAndEmptyChartsAreNotWritten(@TempDir Path dir) {
        assertFalse(new LinePlot("t", "x", "y").write(dir.resolve("empty.png")));
        assertFalse(new LinePlot("t", "x", "y").points("one", new double[] {3}, new double[] {0.98}).write(dir.resolve("one.png")));
        assertFalse(Files.exists(dir.resolve("one.png")));
        assertTrue(new LinePlot("t", "x", "y").points("two", new double[] {0, 3}, new double[] {0.9, 0.98}).write(dir.resolve("two.png")));
        assertTrue(Files.isRegularFile(dir.resolve("two.png")));
    }

    /** metrics.jsonl of a run stopped at step 3 and resumed to 6, with step 3 logged twice (a kill during a checkpoint). */
    private static Path resumedRun(Path dir) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int s = 1; s <= 3; s++) b.append("{\"step\":").append(s).append(",\"loss\":").append(0.7 - 0.01 * s).append("}\n");
        b.append("{\"step\":3,\"dev_accuracy\":0.80}\n");
        b.append("{\"step\":3,\"loss\":0.66}\n"); // replayed after the resume: the later value counts
        for (int s = 4; s <= 6; s++) b.append("{\"step\":").append(s).append(",\"loss\":").append(0.7 - 0.01 * s).append("}\n");
        b.append("{\"step\":6,\"dev_accuracy\":0.85}\n{\"step\":7,\"los"); // a torn last line
        Path m = dir.resolve("metrics.jsonl");
        Files.writeString(m, b);
        return m;
    }

    @Test
    void plotsOfAResumedRunIncludeTheStepsBeforeTheResume(@TempDir Path dir) throws Exception {
        Path m = resumedRun(dir);
        var lines = ZoPlots.read(m);
        var loss = ZoPlots.series(lines, "loss");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), new ArrayList<>(loss.keySet()));
        assertEquals(0.66, loss.get(3L), 1e-12);
        List<Path> written = ZoPlots.write(m, dir, "ZO2 on fixture");
        assertEquals(List.of(dir.resolve("loss.png"), dir.resolve("dev_accuracy.png")), written);
        XYChart c = ZoPlots.lossPlot(lines, "ZO2 on fixture").chart();
        XYSeries raw = c.getSeriesMap().values().iterator().next();
        assertEquals(6, raw.getXData().length);
        XYChart dev = ZoPlots.evalPlot(lines, "dev_accuracy", "ZO2 on fixture").chart();
        XYSeries pts = dev.getSeriesMap().values().iterator().next();
        assertEquals(SeriesMarkers.DIAMOND, pts.getMarker());
        assertTrue(dev.getYAxisTitle().contains("fraction"), dev.getYAxisTitle());
    }

    @Test
    void runWithoutStepsDrawsNoChart(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "");
        ZoPlots.appendEval(dir, 0, Map.of("test_accuracy", 0.7, "test_loss", 0.69));
        ZoPlots.appendEval(dir, 0, Map.of("test_accuracy", 0.7, "test_loss", 0.69));
        assertEquals(List.of(), ZoPlots.write(dir.resolve("metrics.jsonl"), dir, "t"));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".png")));
        }
    }

    @Test
    void beforeAndAfterEvaluationsMakeAHeldOutChart(@TempDir Path dir) {
        ZoPlots.appendEval(dir, 0, Map.of("test_accuracy", 0.70, "test_loss", 0.693));
        ZoPlots.appendEval(dir, 150, Map.of("test_accuracy", 0.86, "test_loss", 0.61));
        List<Path> w = ZoPlots.write(dir.resolve("metrics.jsonl"), dir, "t");
        assertEquals(List.of(dir.resolve("test_accuracy.png"), dir.resolve("test_loss.png")), w);
    }

    @Test
    void zoTitleSaysWhatRan() {
        ZoTrainCommand.ZoOptions o = QuickstartCommand.settings(QuickstartCommand.DEFAULT_STEPS, Path.of("x"));
        String t = ZoPlots.title(o);
        for (String part : List.of("minilm", "spam", "lr " + LinePlot.num(o.lr), "ε " + LinePlot.num(o.eps),
                "batch " + o.batch, "K=" + o.residentBlocks, o.storageDtype.name().toLowerCase(java.util.Locale.ROOT)))
            assertTrue(t.contains(part), part + " missing in: " + t);
    }

    @Test
    void accuracyVsEpsilonStatesDelta(@TempDir Path dir) {
        List<double[]> pts = List.of(new double[] {0, 0.1}, new double[] {1.2, 0.7}, new double[] {2.9, 0.83});
        LinePlot p = DpPlot.accuracyVsEpsilonPlot(pts, "fmnist CNN", 1e-5);
        XYChart c = p.chart();
        assertTrue(c.getTitle().contains("δ = 1e-5") && c.getTitle().contains("fmnist CNN"), c.getTitle());
        assertTrue(c.getXAxisTitle().contains("δ = 1e-5"), c.getXAxisTitle());
        XYSeries s = c.getSeriesMap().values().iterator().next();
        assertEquals(SeriesMarkers.CIRCLE, s.getMarker());
        assertTrue(DpPlot.accuracyVsEpsilon(pts, "fmnist CNN", 1e-5, dir.resolve("a.png")));
        assertFalse(DpPlot.accuracyVsEpsilon(pts.subList(0, 1), "fmnist CNN", 1e-5, dir.resolve("b.png")));
    }
}
