package dev.frugal.interp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Threads;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code frugal bench acdc}: ACDC on the induction model, each variant in a fresh JVM (wall time of the sweep incl.
 * cache setup, peak RSS from {@code VmHWM}):
 * <ul>
 *   <li>{@code acdc_fp32}: the reference, float32, every block recomputed, one edge per forward;</li>
 *   <li>{@code exact_fp32}: float32 with the exact accelerations only (clean-cache reuse, 16 edges per forward);</li>
 *   <li>{@code pahq}: the exact accelerations plus int8 for every component not under investigation.</li>
 * </ul>
 * The last line printed is {@code {"bench":"acdc","time_s":{..},"peak_rss_mb":{..},"time_ratio":..,"mem_ratio":..,
 * "edge_f1":..,"edges":{..}}} with ratios pahq / acdc_fp32.
 */
public final class AcdcBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> VARIANTS = List.of("acdc_fp32", "exact_fp32", "pahq");

    private AcdcBench() {}

    /** {@code [--quick] [--json FILE] [--threads N]}, or {@code --variant V --models DIR [--quick]} in a child. */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String variant = null, json = null;
        Path models = null;
        int threads = Threads.defaultCount();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--variant" -> variant = args[++i];
                case "--models" -> models = Path.of(args[++i]);
                case "--json" -> json = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --quick, --json FILE, --threads N)");
            }
        }
        if (variant != null) {
            child(variant, models, quick, threads);
            return;
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        run(quick, threads, models != null ? models : dev.frugal.data.FrugalHome.root().resolve("models").resolve("interp"),
                json == null ? null : Path.of(json), out);
    }

    /** Runs every variant in its own JVM and prints the table and the summary JSON line. */
    public static ObjectNode run(boolean quick, int threads, Path models, Path jsonFile, PrintWriter out)
            throws IOException, InterruptedException {
        Threads.configure(threads);
        (quick ? ModelZoo.induction2l(models) : ModelZoo.inductionWide(models)).close(); // train here, never in a timed child
        Map<String, JsonNode> res = new LinkedHashMap<>();
        for (String v : VARIANTS) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    AcdcBench.class.getName(), "--variant", v, "--models", models.toString(), "--threads",
                    Integer.toString(threads)));
            if (quick) cmd.add("--quick");
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException("bench child " + v + " failed (exit " + p.exitValue() + ")");
            String[] lines = text.strip().split("\n");
            res.put(v, JSON.readTree(lines[lines.length - 1]));
        }
        ObjectNode sum = JSON.createObjectNode();
        sum.put("bench", "acdc");
        ObjectNode time = sum.putObject("time_s"), rss = sum.putObject("peak_rss_mb"), edges = sum.putObject("edges");
        out.printf("%-11s %9s %12s %7s %9s%n", "variant", "time_s", "peak_rss_mb", "edges", "forwards");
        for (var e : res.entrySet()) {
            JsonNode r = e.getValue();
            time.put(e.getKey(), r.path("time_s").asDouble());
            rss.put(e.getKey(), r.path("peak_rss_mb").asDouble());
            edges.put(e.getKey(), r.path("edges").size());
            out.printf("%-11s %9.2f %12.0f %7d %9d%n", e.getKey(), r.path("time_s").asDouble(),
                    r.path("peak_rss_mb").asDouble(), r.path("edges").size(), r.path("forwards").asLong());
        }
        sum.put("time_ratio", round(time.path("pahq").asDouble() / time.path("acdc_fp32").asDouble()));
        sum.put("mem_ratio", round(rss.path("pahq").asDouble() / rss.path("acdc_fp32").asDouble()));
        sum.put("edge_f1", round(Circuit.f1(edgesOf(res.get("acdc_fp32")), edgesOf(res.get("pahq")))));
        sum.put("exact_edges_identical", edgesOf(res.get("acdc_fp32")).equals(edgesOf(res.get("exact_fp32"))));
        sum.put("threshold", res.get("pahq").path("threshold").asDouble());
        sum.put("batch", res.get("pahq").path("batch").asInt());
        sum.put("threads", threads);
        sum.put("quick", quick);
        String line = JSON.writeValueAsString(sum);
        if (jsonFile != null) Files.writeString(jsonFile, line + "\n", StandardCharsets.UTF_8);
        out.println(line);
        return sum;
    }

    private static double round(double x) { return Math.round(x * 1e4) / 1e4; }

    private static Set<Edge> edgesOf(JsonNode r) {
        Set<Edge> s = new LinkedHashSet<>();
        for (JsonNode e : r.path("edges")) s.add(Edge.parse(e.asText()));
        return s;
    }

    private static void child(String variant, Path models, boolean quick, int threads) throws IOException {
        Threads.configure(threads);
        double tau = 0.05;
        int batch = quick ? 16 : 32;
        AcdcSettings s = switch (variant) {
            case "acdc_fp32" -> AcdcSettings.reference(tau);
            case "exact_fp32" -> new AcdcSettings(tau, AcdcSettings.Ablation.CORRUPTED, Precision.FP32, true, 16);
            case "pahq" -> new AcdcSettings(tau, AcdcSettings.Ablation.CORRUPTED, Precision.INT8, true, 16);
            default -> throw new IllegalArgumentException("unknown variant " + variant + ": " + VARIANTS);
        };
        CircuitTask task = quick ? ModelZoo.INDUCTION : ModelZoo.INDUCTION_WIDE;
        try (Gpt2Model m = quick ? ModelZoo.induction2l(models) : ModelZoo.inductionWide(models);
             Rng rng = Rng.seeded("bench", 1); TaskBatch b = task.batch(rng, batch)) {
            long t0 = System.nanoTime();
            Circuit c;
            try (AcdcRun run = new AcdcRun(m, b, AcdcRun.MetricKind.KL, s.precision(), s.ablation())) {
                c = run.run(s, null);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            ObjectNode r = JSON.createObjectNode();
            r.put("variant", variant);
            r.put("time_s", secs);
            r.put("peak_rss_mb", peakRssMb());
            r.put("forwards", c.forwards());
            r.put("threshold", tau);
            r.put("batch", batch);
            var arr = r.putArray("edges");
            for (Edge e : c.edges()) arr.add(e.toString());
            System.out.println(JSON.writeValueAsString(r));
        }
    }

    /** VmHWM of this process in MiB (Linux), or NaN elsewhere. */
    static double peakRssMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
