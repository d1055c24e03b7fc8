package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code frugal bench zo --device D}: ZO2's own setting, 16-bit compute on a device (a GPU; the CPU for smoke tests).
 * For each size (OPT-1.3B and OPT-6.7B shapes, batch 1 × 2048; {@code --quick}: the quick model) it runs the modes
 * {@code mezo}, {@code inmem} and {@code zo2} of {@link BenchZoDeviceWorker}, each in a fresh JVM that inherits this
 * one's JavaCPP settings (so the GPU recipe of docs/gpu.md carries over), and ends with one JSON object: per size the
 * step times, tokens/s and peak GPU memory of each mode, ZO2's physical bound max(in-device step, bytes moved /
 * pinned bandwidth) and its step against that bound, and its peak GPU memory against ZO2's published figure.
 */
public final class BenchZoDevice {
    static final String[] MODES = {"mezo", "inmem", "zo2"};
    /** GPU memory ZO2's paper reports for its own runs (GB), by size. */
    static final Map<String, Double> PAPER_GPU_GB = Map.of("opt-1.3b", 3.75, "opt-6.7b", 4.99);
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchZoDevice() {}

    /**
     * The same bench without the CLI (for the GPU machine's slim pack, scripts/gpu-pack.sh --zo):
     * {@code BenchZoDevice DEVICE [--quick] [--steps N] [--warmup N] [--json FILE]}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: BenchZoDevice DEVICE [--quick] [--steps N]"
                + " [--warmup N] [--json FILE]");
        Device device = Device.parse(args[0]);
        dev.frugal.tensor.Backend.requireDevice(device);
        boolean quick = false;
        int steps = 3, warmup = 1;
        Path json = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        PrintWriter out = new PrintWriter(System.out, true);
        System.exit(run(out, device, quick, steps, warmup, json));
    }

    static int run(PrintWriter out, Device device, boolean quick, int steps, int warmup, Path json)
            throws IOException, InterruptedException {
        List<String> sizes = quick ? List.of("quick") : List.of("opt-1.3b", "opt-6.7b");
        out.printf("bench zo --device %s: bf16 compute, sizes %s, median of %d steps after %d warm-up%n", device, sizes,
                steps, warmup);
        out.flush();
        ObjectNode summary = JSON.createObjectNode();
        summary.put("bench", "zo_device");
        summary.put("device", device.toString());
        summary.put("dtype", "bf16");
        ObjectNode bySize = summary.putObject("sizes");
        for (String size : sizes) {
            Map<String, JsonNode> r = new LinkedHashMap<>();
            for (String mode : MODES) {
                JsonNode n = BenchZoRunner.execJson(mode, workerCommand(mode, size, steps, warmup, device), Map.of());
                r.put(mode, n);
                if (json != null) JsonLinesOption.append(json, List.of(n.toString()));
                out.printf("  %-9s %-6s %s%n", size, mode, n.has("error") ? "FAILED: " + n.get("error").asText()
                        : String.format(Locale.ROOT, "step %.3f s   %.0f tokens/s   peak GPU %s MB   peak RSS %.0f MB",
                        n.get("step_s").asDouble(), n.get("tokens_per_s").asDouble(),
                        n.path("peak_gpu_mb").isNumber() ? String.format(Locale.ROOT, "%.0f", n.get("peak_gpu_mb").asDouble()) : "n/a",
                        n.get("peak_rss_mb").asDouble()));
                out.flush();
            }
            bySize.set(size, summarise(size, r));
        }
        if (json != null) JsonLinesOption.append(json, List.of(summary.toString()));
        out.println(summary);
        out.flush();
        return 0;
    }

    /** One size's figures from its three modes' lines (a failed mode leaves its entries out). */
    static ObjectNode summarise(String size, Map<String, JsonNode> r) {
        ObjectNode s = JSON.createObjectNode();
        ObjectNode step = s.putObject("step_s"), tps = s.putObject("tokens_per_s"), mem = s.putObject("peak_gpu_mb");
        for (var e : r.entrySet()) {
            JsonNode n = e.getValue();
            if (n.has("error")) continue;
            step.put(e.getKey(), n.get("step_s").asDouble());
            tps.put(e.getKey(), n.get("tokens_per_s").asDouble());
            if (n.path("peak_gpu_mb").isNumber()) mem.put(e.getKey(), n.get("peak_gpu_mb").asDouble());
        }
        JsonNode inmem = r.get("inmem"), zo2 = r.get("zo2");
        if (inmem != null && inmem.has("fwd2_s")) s.put("fwd2_s", inmem.get("fwd2_s").asDouble());
        if (zo2 != null && !zo2.has("error")) {
            long bytes = zo2.get("bytes_moved_per_step").asLong();
            s.put("bytes_moved_gb", bytes / 1e9);
            if (zo2.has("pinned_h2d_gbps") && inmem != null && !inmem.has("error")) {
                double bw = zo2.get("pinned_h2d_gbps").asDouble();
                double transfer = bytes / 1e9 / bw, compute = inmem.get("step_s").asDouble();
                double bound = Math.max(compute, transfer);
                s.put("pinned_h2d_gbps", bw);
                s.put("transfer_s", transfer);
                s.put("bound_s", bound);
                s.put("ratio_zo2_vs_bound", zo2.get("step_s").asDouble() / bound);
            }
            Double paper = PAPER_GPU_GB.get(size);
            if (paper != null && zo2.path("peak_gpu_mb").isNumber()) {
                s.put("zo2_paper_gpu_gb", paper);
                s.put("ratio_zo2_gpu_vs_paper", zo2.get("peak_gpu_mb").asDouble() * 1048576 / 1e9 / paper);
            }
        }
        return s;
    }

    /** This JVM's java, class path and JavaCPP/library settings (the GPU recipe's), running the worker. */
    static List<String> workerCommand(String mode, String size, int steps, int warmup, Device device) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx2g"));
        c.addAll(BenchZoRunner.nativeOptions());
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchZoDeviceWorker.class.getName(), mode, size,
                String.valueOf(steps), String.valueOf(warmup), device.toString()));
        return c;
    }
}
