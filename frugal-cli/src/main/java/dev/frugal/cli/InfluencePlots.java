package dev.frugal.cli;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.method.Method;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The influence PNGs: predicted-vs-actual scatter, fraction-found curves (XChart) and image grids (AWT). */
final class InfluencePlots {
    private InfluencePlots() {}

    /** Predicted vs actual change of the mean test loss, one series per method (markers: ≥ 100 points). */
    static void scatter(Path png, String title, double[] actual, Map<Method, double[]> predicted) {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(600).title(title)
                .xAxisTitle("actual Δ mean test loss (retrained, nats)")
                .yAxisTitle("predicted Δ (nats, scaled to the actual range)").build();
        c.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(5);
        double aMax = 0;
        for (double v : actual) aMax = Math.max(aMax, Math.abs(v));
        for (var e : predicted.entrySet()) {
            double pMax = 0;
            for (double v : e.getValue()) pMax = Math.max(pMax, Math.abs(v));
            double[] scaled = new double[e.getValue().length];
            for (int i = 0; i < scaled.length; i++) scaled[i] = pMax == 0 ? 0 : e.getValue()[i] / pMax * aMax;
            c.addSeries(e.getKey().cliName(), actual, scaled);
        }
        save(c, png);
    }

    /** Fraction of flipped labels found against fraction of the training set inspected, per method. */
    static void curves(Path png, String title, Map<Method, double[]> curve) {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(600).title(title)
                .xAxisTitle("fraction of training set inspected (by self-influence)")
                .yAxisTitle("fraction of flipped labels found").build();
        double[] x = new double[101];
        for (int i = 0; i <= 100; i++) x[i] = i / 100.0;
        for (var e : curve.entrySet()) c.addSeries(e.getKey().cliName(), x, e.getValue()).setMarker(SeriesMarkers.NONE);
        c.addSeries("random", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE);
        save(c, png);
    }

    private static final Color[] METHOD_COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x9467bd),
            new Color(0x2ca02c), new Color(0xd62728)};

    /** Each method's mislabel AUC against the seed of its run (markers: a few points per method). */
    static void aucPerSeed(Path png, String title, long[] seeds, Map<Method, double[]> auc) {
        System.setProperty("java.awt.headless", "true");
        XYChart c = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle("seed (split, flip, init)")
                .yAxisTitle("ROC AUC of the self-influence ranking").build();
        double[] x = new double[seeds.length];
        for (int i = 0; i < x.length; i++) x[i] = seeds[i];
        c.getStyler().setMarkerSize(8);
        c.getStyler().setXAxisDecimalPattern("#");
        for (var e : auc.entrySet()) {
            Color colour = METHOD_COLOURS[e.getKey().ordinal() % METHOD_COLOURS.length]; // the same for a method in every PNG
            org.knowm.xchart.XYSeries series = c.addSeries(e.getKey().cliName(), x, e.getValue());
            series.setLineColor(colour);
            series.setMarkerColor(colour);
        }
        save(c, png);
    }

    /** Per test example: its image, then its top-k helpful, then its top-k harmful training images. */
    static void grid(Path png, Dataset test, Dataset train, int[][] helpful, int[][] harmful, String method) {
        System.setProperty("java.awt.headless", "true");
        int side = train.imageSide(), scale = Math.max(2, 56 / side), cell = side * scale, pad = 18;
        int k = helpful.length == 0 ? 0 : helpful[0].length, cols = 1 + 2 * k;
        BufferedImage img = new BufferedImage(cols * (cell + 4) + 8, helpful.length * (cell + pad) + 30,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(method + ": test | " + k + " most helpful | " + k + " most harmful", 6, 14);
        for (int t = 0; t < helpful.length; t++) {
            int y0 = 24 + t * (cell + pad);
            draw(img, test, t, 4, y0, scale);
            g.drawString(test.classNames().get(test.y()[t]), 4, y0 + cell + 12);
            for (int r = 0; r < k; r++) {
                for (int h = 0; h < 2; h++) {
                    int i = h == 0 ? helpful[t][r] : harmful[t][r];
                    int x0 = 4 + (1 + h * k + r) * (cell + 4);
                    draw(img, train, i, x0, y0, scale);
                    g.setColor(h == 0 ? new Color(0, 110, 0) : new Color(170, 0, 0));
                    g.drawString(train.classNames().get(train.y()[i]), x0, y0 + cell + 12);
                    g.setColor(Color.BLACK);
                }
            }
        }
        g.dispose();
        Png.write(img, png);
    }

    private static void draw(BufferedImage img, Dataset d, int i, int x0, int y0, int scale) {
        int side = d.imageSide();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < d.features(); p++) {
            lo = Math.min(lo, d.x()[i * d.features() + p]);
            hi = Math.max(hi, d.x()[i * d.features() + p]);
        }
        for (int r = 0; r < side; r++) for (int c = 0; c < side; c++) {
            double v = d.x()[i * d.features() + r * side + c];
            int grey = 255 - (int) Math.round(255 * (hi > lo ? (v - lo) / (hi - lo) : 0));
            int rgb = (grey << 16) | (grey << 8) | grey;
            for (int a = 0; a < scale; a++) for (int b = 0; b < scale; b++) img.setRGB(x0 + c * scale + b, y0 + r * scale + a, rgb);
        }
    }

    private static void save(XYChart c, Path png) {
        try {
            if (png.toAbsolutePath().getParent() != null) Files.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(c, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + png, e);
        }
    }
}
