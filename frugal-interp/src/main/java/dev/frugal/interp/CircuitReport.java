package dev.frugal.interp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What people look at after a sweep: the circuit as JSON, as a Graphviz drawing (DOT, and PNG when {@code dot} is
 * installed: Debian package {@code graphviz}), and a table of the kept edges with their metric deltas.
 */
public final class CircuitReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CircuitReport() {}

    /** The circuit, its settings and every tested edge's delta as a JSON object. */
    public static ObjectNode json(Circuit c, String model, String task, int graphEdges) {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", model);
        n.put("task", task);
        n.put("metric", c.metric());
        n.put("threshold", c.threshold());
        n.put("precision", c.precision().name().toLowerCase(java.util.Locale.ROOT));
        n.put("graph_edges", graphEdges);
        n.put("kept_edges", c.edges().size());
        n.put("clean_metric", c.cleanMetric());
        n.put("circuit_metric", c.circuitMetric());
        n.put("forwards", c.forwards());
        n.put("seconds", c.seconds());
        ArrayNode kept = n.putArray("edges");
        c.keptDeltas().forEach((e, d) -> {
            ObjectNode x = kept.addObject();
            x.put("sender", e.sender().label());
            x.put("receiver", e.receiver().label());
            x.put("delta", d);
        });
        ArrayNode all = n.putArray("tested");
        for (Circuit.EdgeScore s : c.scores()) {
            ObjectNode x = all.addObject();
            x.put("edge", s.edge().toString());
            if (Double.isNaN(s.delta())) x.putNull("delta");
            else x.put("delta", s.delta());
            x.put("kept", s.kept());
        }
        return n;
    }

    /** Reads the kept edges back from {@link #json}'s output. */
    public static Set<Edge> readEdges(Path file) {
        try {
            Set<Edge> out = new LinkedHashSet<>();
            for (var e : JSON.readTree(file.toFile()).path("edges"))
                out.add(new Edge(Node.parse(e.path("sender").asText()), Node.parse(e.path("receiver").asText())));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read circuit " + file, e);
        }
    }

    /** The kept edges as a Graphviz digraph: heads as boxes with their q/k/v inputs as ports, edge labels = delta. */
    public static String dot(Circuit c) {
        StringBuilder sb = new StringBuilder("digraph circuit {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n");
        Set<String> nodes = new LinkedHashSet<>();
        for (Edge e : c.edges()) {
            nodes.add(e.sender().label());
            Node r = e.receiver();
            nodes.add(r.head() >= 0 ? Node.head(r.layer(), r.head()).label() : r.label());
        }
        for (String n : nodes) {
            String style = n.equals("embed") || n.equals("output") ? "shape=ellipse, style=filled, fillcolor=\"#dddddd\""
                    : n.startsWith("m") ? "shape=box, style=filled, fillcolor=\"#c6dbef\""
                    : "shape=box, style=filled, fillcolor=\"#fdd0a2\"";
            sb.append("  \"").append(n).append("\" [").append(style).append("];\n");
        }
        for (Map.Entry<Edge, Double> e : c.keptDeltas().entrySet()) {
            Node r = e.getKey().receiver();
            String to = r.head() >= 0 ? Node.head(r.layer(), r.head()).label() : r.label();
            String port = switch (r.kind()) {
                case Q -> "q";
                case K -> "k";
                case V -> "v";
                default -> "";
            };
            String color = switch (r.kind()) {
                case Q -> "#1f77b4";
                case K -> "#2ca02c";
                case V -> "#d62728";
                default -> "#333333";
            };
            sb.append(String.format(java.util.Locale.ROOT, "  \"%s\" -> \"%s\" [label=\"%s%.3g\", color=\"%s\"];%n",
                    e.getKey().sender().label(), to, port.isEmpty() ? "" : port + " ", e.getValue(), color));
        }
        return sb.append("}\n").toString();
    }

    /** A fixed-width table of the kept edges, largest delta first. */
    public static String table(Circuit c) {
        List<Map.Entry<Edge, Double>> rows = new ArrayList<>(c.keptDeltas().entrySet());
        rows.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        StringBuilder sb = new StringBuilder(String.format("%-10s %-12s %12s%n", "sender", "receiver", "Δ" + c.metric()));
        for (var r : rows)
            sb.append(String.format(java.util.Locale.ROOT, "%-10s %-12s %12.5f%n", r.getKey().sender().label(),
                    r.getKey().receiver().label(), r.getValue()));
        return sb.toString();
    }

    /**
     * Writes {@code circuit.json}, {@code circuit.dot}, {@code edges.txt} and, when Graphviz' {@code dot} runs,
     * {@code circuit.png} into {@code dir}; returns the PNG path, or null when {@code dot} is missing.
     */
    public static Path write(Path dir, Circuit c, String model, String task, int graphEdges) {
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("circuit.json").toFile(), json(c, model, task, graphEdges));
            Path dotFile = dir.resolve("circuit.dot");
            Files.writeString(dotFile, dot(c), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("edges.txt"), table(c), StandardCharsets.UTF_8);
            return renderPng(dotFile, dir.resolve("circuit.png"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the circuit into " + dir, e);
        }
    }

    /** Runs {@code dot -Tpng}; null when Graphviz is not installed (apt-get install graphviz). */
    public static Path renderPng(Path dotFile, Path png) {
        try {
            Process p = new ProcessBuilder("dot", "-Tpng", "-o", png.toString(), dotFile.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("dot did not finish within 60 s on " + dotFile);
            }
            if (p.exitValue() != 0) throw new IllegalStateException("dot failed on " + dotFile + ": " + out.strip());
            return png;
        } catch (IOException e) {
            return null; // no dot on PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing " + dotFile, e);
        }
    }
}
