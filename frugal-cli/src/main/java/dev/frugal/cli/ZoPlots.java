package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plots of a {@code zo train} / {@code quickstart} run, drawn from its whole {@code metrics.jsonl} (so a resumed run
 * shows the steps from before the resume too): {@code loss.png}, the per-step training loss faint behind its moving
 * average; and one chart per held-out metric ({@code dev_accuracy.png}, {@code eval_loss.png}, ...) with the
 * evaluations as points. A metric with fewer than two values draws no chart.
 */
final class ZoPlots {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Held-out metrics a run may log, with their axis titles (unit included). */
    static final Map<String, String> EVAL_METRICS = Map.of(
            "dev_accuracy", "dev accuracy (fraction correct)",
            "test_accuracy", "test accuracy (fraction correct)",
            "test_loss", "test loss (cross-entropy, nats)",
            "eval_loss", "eval loss (cross-entropy, nats/token)");

    private ZoPlots() {}

    /** The points of one metric by step; a step logged twice (e.g. replayed after a kill) keeps its last value. */
    static TreeMap<Long, Double> series(List<JsonNode> lines, String metric) {
        TreeMap<Long, Double> r = new TreeMap<>();
        for (JsonNode n : lines)
            if (n.has("step") && n.has(metric) && n.get(metric).isNumber()) r.put(n.get("step").asLong(), n.get(metric).asDouble());
        return r;
    }

    /** Every JSON object line of {@code metrics} (a missing file has none; a torn last line is skipped). */
    static List<JsonNode> read(Path metrics) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isRegularFile(metrics)) return out;
        try {
            for (String l : Files.readAllLines(metrics)) {
                if (l.isBlank()) continue;
                try {
                    JsonNode n = JSON.readTree(l);
                    if (n != null && n.isObject()) out.add(n);
                } catch (IOException torn) {
                    // a line cut by a kill: the lines before it still plot
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The loss chart: per-step train loss (mean of L(θ+εz) and L(θ−εz), over the n perturbations with n-SPSA) faint,
     * its EMA, eval loss as points.
     */
    static LinePlot lossPlot(List<JsonNode> lines, String title) {
        TreeMap<Long, Double> loss = series(lines, "loss");
        LinePlot p = new LinePlot(title, "step", "loss (cross-entropy, nats)");
        boolean nSpsa = lines.stream().anyMatch(l -> l.path("spsa_samples").asInt(1) > 1);
        p.noisy(nSpsa ? "train loss, mean of L(θ+εzₖ) and L(θ−εzₖ) over the n perturbations"
                : "train loss, mean of L(θ+εz) and L(θ−εz)", xs(loss), ys(loss));
        TreeMap<Long, Double> ev = series(lines, "eval_loss");
        if (ev.size() >= 1 && loss.size() >= 1) p.points("held-out eval loss", xs(ev), ys(ev));
        return p;
    }

    /** A held-out metric's chart. */
    static LinePlot evalPlot(List<JsonNode> lines, String metric, String title) {
        TreeMap<Long, Double> ev = series(lines, metric);
        return new LinePlot(title, "step", EVAL_METRICS.getOrDefault(metric, metric)).points("held-out " + metric.replace('_', ' '),
                xs(ev), ys(ev));
    }

    /**
     * Writes {@code loss.png} and a chart per held-out metric with at least two values into {@code dir}.
     *
     * @return the files written
     */
    static List<Path> write(Path metrics, Path dir, String title) {
        List<JsonNode> lines = read(metrics);
        List<Path> written = new ArrayList<>();
        Path loss = dir.resolve("loss.png");
        if (lossPlot(lines, title).write(loss)) written.add(loss);
        for (String m : List.of("dev_accuracy", "test_accuracy", "test_loss", "eval_loss")) {
            Path png = dir.resolve(m + ".png");
            if (series(lines, m).size() >= 2 && evalPlot(lines, m, title).write(png)) written.add(png);
        }
        return written;
    }

    /** Appends one held-out evaluation line {@code {"step": S, metric: value, ...}} to {@code dir/metrics.jsonl}. */
    static void appendEval(Path dir, long step, Map<String, Double> values) {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("event", "eval");
        m.put("step", step);
        new TreeMap<>(values).forEach(m::put);
        try (MetricsLog log = new MetricsLog(dir.resolve("metrics.jsonl"), true)) {
            log.write(m);
        }
    }

    /** What ran, for chart titles: model, data, the key ZO settings. */
    static String title(ZoTrainCommand.ZoOptions o) {
        String model = Path.of(o.model).getFileName().toString();
        String data = o.task == ZoTrainCommand.Task.spam
                ? (o.data == null || o.data.equals("spam-small") ? "(SpamAssassin subset)" : "(SpamAssassin)")
                : Path.of(o.data == null ? "?" : o.data).getFileName().toString();
        String head = o.task == ZoTrainCommand.Task.spam ? ", head " + o.headInit : "";
        if (!o.tune.isAll()) head += ", tuning " + o.tune;
        if (o.spsaSamples > 1) head += ", n-SPSA n=" + o.spsaSamples;
        return String.format(java.util.Locale.ROOT, "ZO2 on %s, %s %s: lr %s, ε %s, batch %d × %d tokens, %s offload %s K=%d%s",
                model, o.task, data, LinePlot.num(o.lr), LinePlot.num(o.eps), o.batch, o.seqLen, o.offload.name().toLowerCase(java.util.Locale.ROOT),
                o.storageDtype.name().toLowerCase(java.util.Locale.ROOT), o.residentBlocks, head);
    }

    private static double[] xs(TreeMap<Long, Double> m) { return m.keySet().stream().mapToDouble(Long::doubleValue).toArray(); }

    private static double[] ys(TreeMap<Long, Double> m) { return m.values().stream().mapToDouble(Double::doubleValue).toArray(); }
}
