package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Draws the charts from committed real runs into {@code target/plot-gallery/} (to be looked at, as a person would):
 * DP-SGD's accuracy against ε from {@code runs/fmnist-cnn-flat/metrics.jsonl}.
 */
class PlotGalleryTest {
    private static final Path GALLERY = Path.of("target", "plot-gallery");

    @Test
    void accuracyVsEpsilonOfTheCommittedFmnistRun() {
        Path metrics = Path.of("..", "runs", "fmnist-cnn-flat", "metrics.jsonl");
        assertTrue(Files.isRegularFile(metrics), "committed run missing: " + metrics.toAbsolutePath());
        List<JsonNode> lines = ZoPlots.read(metrics);
        List<double[]> pts = new ArrayList<>();
        double delta = Double.NaN;
        String what = "?";
        for (JsonNode n : lines) {
            if ("eval".equals(n.path("event").asText())) pts.add(new double[] {n.get("epsilon").asDouble(), n.get("test_accuracy").asDouble()});
            if ("config".equals(n.path("event").asText())) {
                delta = n.get("delta").asDouble();
                what = n.get("task").asText().split(";")[0];
            }
        }
        assertTrue(pts.size() >= 2 && Double.isFinite(delta), "evals and δ in " + metrics);
        Path png = GALLERY.resolve("fmnist-cnn-flat-accuracy_vs_epsilon.png");
        assertTrue(DpPlot.accuracyVsEpsilon(pts, what, delta, png));
        assertTrue(Files.isRegularFile(png));
    }
}
