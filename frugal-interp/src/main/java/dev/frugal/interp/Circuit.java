package dev.frugal.interp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result of an ACDC sweep.
 *
 * @param scores        every edge with its metric change when removed (NaN for edges removed untested because their
 *                      receiver no longer reaches the output) and whether it was kept, in test order
 * @param cleanMetric   the metric with nothing removed (0 for KL)
 * @param circuitMetric the metric of the final circuit (every removed edge patched), in the run's precision
 * @param forwards      patched forward passes run
 * @param rowsForwarded rows pushed through those forwards (configurations × batch)
 * @param seconds       wall time of the sweep
 */
public record Circuit(List<EdgeScore> scores, double threshold, String metric, Precision precision, double cleanMetric,
                      double circuitMetric, long forwards, long rowsForwarded, double seconds) {
    /** One tested (or skipped) edge. */
    public record EdgeScore(Edge edge, double delta, boolean kept) {}

    public Circuit {
        scores = List.copyOf(scores);
    }

    /** The kept edges, sorted by receiver then sender. */
    public Set<Edge> edges() {
        List<Edge> k = new ArrayList<>();
        for (EdgeScore s : scores) if (s.kept()) k.add(s.edge());
        Collections.sort(k);
        return new LinkedHashSet<>(k);
    }

    /** The removed edges. */
    public Set<Edge> removed() {
        Set<Edge> r = new LinkedHashSet<>();
        for (EdgeScore s : scores) if (!s.kept()) r.add(s.edge());
        return r;
    }

    /** Edges kept by both over the mean size: {@code 2|A∩B| / (|A| + |B|)} (1 when both are empty). */
    public static double f1(Set<Edge> a, Set<Edge> b) {
        if (a.isEmpty() && b.isEmpty()) return 1.0;
        int both = 0;
        for (Edge e : a) if (b.contains(e)) both++;
        return 2.0 * both / (a.size() + b.size());
    }

    /** Senders and receivers reached by the kept edges (heads named without their q/k/v suffix). */
    public Set<String> components() {
        Set<String> c = new LinkedHashSet<>();
        for (Edge e : edges()) {
            c.add(e.sender().label());
            Node r = e.receiver();
            c.add(r.head() >= 0 ? Node.head(r.layer(), r.head()).label() : r.label());
        }
        return c;
    }

    /** Delta of each kept edge. */
    public Map<Edge, Double> keptDeltas() {
        Map<Edge, Double> m = new java.util.LinkedHashMap<>();
        for (EdgeScore s : scores) if (s.kept()) m.put(s.edge(), s.delta());
        return m;
    }
}
