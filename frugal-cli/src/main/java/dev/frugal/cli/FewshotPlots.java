package dev.frugal.cli;

import dev.frugal.vision.Episode;
import dev.frugal.vision.ImageSet;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** PNG figures of the few-shot runs: accuracy bars with 95 % CI error bars, and one sample episode. */
final class FewshotPlots {
    private FewshotPlots() {}

    /** Grouped bars: one group per target, one bar per method, error bars = 95 % CI half-widths, in percent. */
    static void accuracyBars(List<FewshotCells.Cell> cells, String title, Path png) {
        System.setProperty("java.awt.headless", "true");
        List<String> targets = cells.stream().map(FewshotCells.Cell::target).distinct().toList();
        Map<String, double[][]> byMethod = new LinkedHashMap<>();
        for (FewshotCells.Cell c : cells) {
            double[][] v = byMethod.computeIfAbsent(c.method(), k -> new double[2][targets.size()]);
            int t = targets.indexOf(c.target());
            v[0][t] = 100 * c.summary().mean();
            v[1][t] = 100 * c.summary().ci95();
        }
        CategoryChart chart = new CategoryChartBuilder().width(960).height(540).title(title)
                .xAxisTitle("target domain").yAxisTitle("accuracy (%), ±95% CI").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler().setErrorBarsColor(Color.BLACK);
        for (var e : byMethod.entrySet()) {
            List<Double> acc = new ArrayList<>(), ci = new ArrayList<>();
            for (int t = 0; t < targets.size(); t++) {
                acc.add(e.getValue()[0][t]);
                ci.add(e.getValue()[1][t]);
            }
            chart.addSeries(e.getKey(), targets, acc, ci);
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + png, e);
        }
    }

    /** One row per class: its K support images, a gap, then up to 8 of its queries; images scaled 3×. */
    static void episode(ImageSet set, Episode e, String title, Path png) {
        System.setProperty("java.awt.headless", "true");
        int scale = 3, cell = set.size() * scale + 4, qShown = Math.min(8, e.queries()), k = e.shots();
        int top = 40, left = 120;
        int w = left + (k + 1 + qShown) * cell + 10, h = top + e.ways() * cell + 10;
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = im.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(title, 8, 14);
        g.drawString("support", left, 32);
        g.drawString("queries", left + (k + 1) * cell, 32);
        List<float[]> sup = e.supportImages(set), qry = e.queryImages(set);
        for (int n = 0; n < e.ways(); n++) {
            String name = set.classNames().get(e.classes()[n]);
            g.setColor(Color.BLACK);
            g.drawString(name.length() > 16 ? name.substring(0, 16) : name, 8, top + n * cell + cell / 2);
            for (int j = 0; j < k; j++) tile(im, sup.get(n * k + j), set, left + j * cell, top + n * cell, scale);
            for (int j = 0; j < qShown; j++) tile(im, qry.get(n * e.queries() + j), set, left + (k + 1 + j) * cell, top + n * cell, scale);
        }
        g.dispose();
        Png.write(im, png);
    }

    private static void tile(BufferedImage im, float[] px, ImageSet set, int x0, int y0, int scale) {
        int s = set.size(), plane = s * s;
        for (int y = 0; y < s * scale; y++) {
            for (int x = 0; x < s * scale; x++) {
                int i = (y / scale) * s + x / scale;
                int r, gg, b;
                if (set.channels() == 1) {
                    r = gg = b = Math.round(255 * px[i]);
                } else {
                    r = Math.round(255 * px[i]);
                    gg = Math.round(255 * px[plane + i]);
                    b = Math.round(255 * px[2 * plane + i]);
                }
                im.setRGB(x0 + x, y0 + y, (r << 16) | (gg << 8) | b);
            }
        }
    }
}
