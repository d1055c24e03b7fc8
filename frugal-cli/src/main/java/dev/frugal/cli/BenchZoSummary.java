package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * The summary object of {@code frugal bench zo} (the keys, null where a mode did not run) and its table with
 * the goals.
 */
final class BenchZoSummary {
    private BenchZoSummary() {}

    /** Goal per ratio key: the figure must be at or below it. */
    static final Map<String, Double> GOALS = new java.util.LinkedHashMap<>();

    static {
        GOALS.put("ratio_inmem_vs_mezo_torch", 0.8);
        GOALS.put("ratio_host_vs_inmem", 1.05);
        GOALS.put("ratio_disk_vs_inmem", 1.25);
        GOALS.put("rss_ratio_host_vs_inmem", 0.65);
        GOALS.put("rss_ratio_disk_vs_inmem", 0.35);
        GOALS.put("rss_growth_disk_x2", 0.05);
        GOALS.put("perturb_overhead", 0.25);
        GOALS.put("perturb_overhead_parallel", 0.25);
        GOALS.put("opt67b_step_vs_bound", 1.3);
        GOALS.put("opt67b_peak_rss_mb", 2048.0);
    }

    static ObjectNode of(Map<BenchZoMode, JsonNode> results) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("bench", "zo");
        ObjectNode step = o.putObject("step_s"), rss = o.putObject("peak_rss_mb");
        ObjectNode cpu = new ObjectMapper().createObjectNode();
        for (BenchZoMode m : BenchZoMode.values()) {
            put(step, m.key(), value(results, m, "step_s"));
            put(rss, m.key(), value(results, m, "peak_rss_mb"));
            put(cpu, m.key(), value(results, m, "step_cpu_s"));
        }
        Double fwd2 = value(results, BenchZoMode.INMEM, "fwd2_s");
        put(o, "fwd2_s", fwd2);
        Double in = value(results, BenchZoMode.INMEM, "step_s");
        put(o, "ratio_inmem_vs_mezo_torch", div(in, value(results, BenchZoMode.MEZO_TORCH, "step_s")));
        put(o, "ratio_host_vs_inmem", div(value(results, BenchZoMode.HOST_BF16, "step_s"), in));
        put(o, "ratio_disk_vs_inmem", div(value(results, BenchZoMode.DISK_BF16, "step_s"), in));
        Double rIn = value(results, BenchZoMode.INMEM, "peak_rss_mb");
        put(o, "rss_ratio_host_vs_inmem", div(value(results, BenchZoMode.HOST_BF16, "peak_rss_mb"), rIn));
        Double rDisk = value(results, BenchZoMode.DISK_BF16, "peak_rss_mb");
        put(o, "rss_ratio_disk_vs_inmem", div(rDisk, rIn));
        Double g = div(value(results, BenchZoMode.DISK_BF16_X2, "peak_rss_mb"), rDisk);
        put(o, "rss_growth_disk_x2", g == null ? null : g - 1);
        put(o, "perturb_overhead", in == null || fwd2 == null ? null : (in - fwd2) / fwd2);
        // the parallel z stream against the two plain forwards of its own process (the inmem one's if absent)
        Double inPar = value(results, BenchZoMode.INMEM_PARALLEL, "step_s");
        Double fwd2Par = value(results, BenchZoMode.INMEM_PARALLEL, "fwd2_s");
        if (fwd2Par == null) fwd2Par = fwd2;
        put(o, "perturb_overhead_parallel", inPar == null || fwd2Par == null ? null : (inPar - fwd2Par) / fwd2Par);
        // beyond the keys: the offloaded modes with the parallel stream (no z·ε prepared ahead)
        put(o, "ratio_host_parallel_vs_inmem", div(value(results, BenchZoMode.HOST_BF16_PARALLEL, "step_s"), in));
        put(o, "ratio_disk_parallel_vs_inmem", div(value(results, BenchZoMode.DISK_BF16_PARALLEL, "step_s"), in));
        put(o, "rss_ratio_host_parallel_vs_inmem", div(value(results, BenchZoMode.HOST_BF16_PARALLEL, "peak_rss_mb"), rIn));
        put(o, "rss_ratio_disk_parallel_vs_inmem", div(value(results, BenchZoMode.DISK_BF16_PARALLEL, "peak_rss_mb"), rIn));
        // an OPT-6.7B-shaped model streamed from disk: its step against its bound, and its peak resident memory
        put(o, "opt67b_step_s", value(results, BenchZoMode.DISK_BF16_OPT67B, "step_s"));
        put(o, "opt67b_bound_s", value(results, BenchZoMode.DISK_BF16_OPT67B, "bound_s"));
        put(o, "opt67b_step_vs_bound", value(results, BenchZoMode.DISK_BF16_OPT67B, "step_vs_bound"));
        put(o, "opt67b_peak_rss_mb", value(results, BenchZoMode.DISK_BF16_OPT67B, "peak_rss_mb"));
        // beyond the keys: CPU seconds per step (all threads), to read wall times on a shared machine
        o.set("step_cpu_s", cpu);
        put(o, "fwd2_cpu_s", value(results, BenchZoMode.INMEM, "fwd2_cpu_s"));
        put(o, "fwd2_parallel_s", value(results, BenchZoMode.INMEM_PARALLEL, "fwd2_s"));
        // the same overheads in CPU seconds (all threads of the process): what a loaded machine's wall times hide
        put(o, "perturb_overhead_cpu", overhead(value(results, BenchZoMode.INMEM, "step_cpu_s"),
                value(results, BenchZoMode.INMEM, "fwd2_cpu_s")));
        put(o, "perturb_overhead_parallel_cpu", overhead(value(results, BenchZoMode.INMEM_PARALLEL, "step_cpu_s"),
                value(results, BenchZoMode.INMEM_PARALLEL, "fwd2_cpu_s")));
        return o;
    }

    static void printTable(PrintWriter out, ObjectNode s) {
        out.println();
        out.printf("%-14s %10s %12s %14s%n", "mode", "step (s)", "step CPU (s)", "peak RSS (MB)");
        var it = s.get("step_s").fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            out.printf("%-14s %10s %12s %14s%n", k, fmt(s.get("step_s").get(k), "%.3f"),
                    fmt(s.get("step_cpu_s").get(k), "%.3f"), fmt(s.get("peak_rss_mb").get(k), "%.0f"));
        }
        out.printf("%-14s %10s %12s%n", "fwd2 (inmem)", fmt(s.get("fwd2_s"), "%.3f"), fmt(s.get("fwd2_cpu_s"), "%.3f"));
        out.println();
        out.printf("%-26s %8s %8s%n", "figure", "value", "goal");
        for (var e : GOALS.entrySet()) {
            JsonNode v = s.get(e.getKey());
            String verdict = v == null || v.isNull() ? "n/a" : v.asDouble() <= e.getValue() ? "met" : "MISSED";
            out.printf("%-26s %8s %8s  %s%n", e.getKey(), fmt(v, "%.3f"), "<= " + e.getValue(), verdict);
        }
    }

    private static String fmt(JsonNode v, String f) {
        return v == null || v.isNull() ? "-" : String.format(Locale.ROOT, f, v.asDouble());
    }

    private static Double value(Map<BenchZoMode, JsonNode> r, BenchZoMode m, String key) {
        JsonNode n = r.get(m);
        return n == null || !n.has(key) || !n.get(key).isNumber() ? null : n.get(key).asDouble();
    }

    private static Double overhead(Double step, Double fwd2) { return step == null || fwd2 == null ? null : (step - fwd2) / fwd2; }

    private static Double div(Double a, Double b) { return a == null || b == null || b == 0 ? null : a / b; }

    private static void put(ObjectNode o, String k, Double v) {
        if (v == null) o.putNull(k);
        else o.put(k, v);
    }
}
