package dev.frugal.cli;

import dev.frugal.depth.DepthExperiment;
import dev.frugal.depth.sim.VibrationIntensity;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The depth PNGs: input / predicted / true depth side by side, and error against vibration intensity (XChart). */
final class DepthPlots {
    private DepthPlots() {}

    /** Input frame, predicted depth (median-scaled) and true depth, with a shared colour scale (near = bright). */
    static void triptych(Path png, String title, byte[] rgb, float[] pred, float[] gt, int w, int h) {
        double scale = median(gt) / median(pred);
        float lo = Float.MAX_VALUE, hi = 0;
        for (float v : gt) if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        int s = Math.max(1, 256 / h), pad = 6, top = 22;
        BufferedImage img = new BufferedImage(3 * w * s + 4 * pad, h * s + top + pad + 18, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(title, pad, 15);
        String[] labels = {"input", "predicted depth (x" + String.format("%.2f", scale) + ")", "true depth " + String.format("%.1f-%.1f cm", lo, hi)};
        for (int panel = 0; panel < 3; panel++) {
            int x0 = pad + panel * (w * s + pad);
            for (int v = 0; v < h; v++)
                for (int u = 0; u < w; u++) {
                    int p = v * w + u, c;
                    if (panel == 0) c = (rgb[3 * p] & 255) << 16 | (rgb[3 * p + 1] & 255) << 8 | (rgb[3 * p + 2] & 255);
                    else c = colour(panel == 1 ? pred[p] * scale : gt[p], lo, hi);
                    g.setColor(new Color(c));
                    g.fillRect(x0 + u * s, top + v * s, s, s);
                }
            g.setColor(Color.BLACK);
            g.drawString(labels[panel], x0, top + h * s + 14);
        }
        g.dispose();
        Png.write(img, png);
    }

    /** Inverse-depth "magma-like" ramp: near bright yellow, far dark purple; invalid black. */
    static int colour(double d, double lo, double hi) {
        if (!(d > 0)) return 0;
        double t = Math.max(0, Math.min(1, (1 / d - 1 / hi) / (1 / lo - 1 / hi)));
        int r = (int) (255 * Math.min(1, 0.1 + 1.2 * t)), gg = (int) (255 * Math.max(0, Math.min(1, 1.6 * t - 0.5))), b = (int) (255 * (0.35 + 0.3 * Math.sin(Math.PI * t)));
        return r << 16 | gg << 8 | Math.min(255, b);
    }

    static double median(float[] v) {
        List<Float> xs = new ArrayList<>();
        for (float x : v) if (x > 0 && Float.isFinite(x)) xs.add(x);
        xs.sort(null);
        return xs.isEmpty() ? 1 : xs.get(xs.size() / 2);
    }

    /** Mean ± SD over seeds of {@code metric} against intensity, one series per model. */
    static void errorVsIntensity(Path png, String title, String yLabel, List<DepthExperiment.Run> runs, java.util.function.ToDoubleFunction<DepthExperiment.Run> metric) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("vibration intensity (0 none, 1 moderate, 2 strong)")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setXAxisTickMarkSpacingHint(200);
        for (boolean vib : new boolean[] {false, true}) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>(), es = new ArrayList<>();
            for (VibrationIntensity vi : VibrationIntensity.values()) {
                List<Double> vals = runs.stream().filter(r -> r.intensity() == vi && r.vibration() == vib).map(metric::applyAsDouble).toList();
                if (vals.isEmpty()) continue;
                double[] ms = DepthExperiment.meanSd(vals);
                xs.add((double) vi.ordinal());
                ys.add(ms[0]);
                es.add(ms[1]);
            }
            if (xs.isEmpty()) continue;
            chart.addSeries(vib ? "V2 (vision + vibration)" : "vision only", xs, ys, es).setMarker(vib ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + png, e);
        }
    }
}
