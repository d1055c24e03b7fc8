package dev.frugal.interp;

import static dev.frugal.Stats.median;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.PeakRss;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Threads;
import java.io.IOException;
import java.io.PrintWriter;
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
 * {@code frugal bench acdc}: ACDC, each variant in a fresh JVM (wall time of the sweep incl. cache setup, peak RSS from
 * {@code VmHWM}, for the whole process and for the sweep alone):
 * <ul>
 *   <li>{@code acdc_fp32}: the reference, float32, every block recomputed, one edge per forward;</li>
 *   <li>{@code exact_fp32}: float32 with the exact accelerations only (clean-cache reuse, 16 edges per forward);</li>
 *   <li>{@code pahq}: the exact accelerations plus int8 for every component not under investigation, the model's
 *       matrices held in int8 only during the sweep.</li>
 * </ul>
 * Sizes: {@code small} (default), the trained 2-layer d = 256 induction model with every edge tested; and
 * {@code gpt2-small}, a randomly initialised GPT-2-small-shaped model ({@link ModelZoo#GPT2_SMALL_6L}) with the sweep
 * capped at the first {@link #GPT2_SMALL_EDGE_TESTS} edge tests. The last line printed is
 * {@code {"bench":"acdc","time_s":{..},"peak_rss_mb":{..},"time_ratio":..,"mem_ratio":..,"edge_f1":..,"edges":{..},
 * "ms_per_edge_test":{..},..}} with ratios pahq / acdc_fp32.
 */
public final class AcdcBench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> VARIANTS = List.of("acdc_fp32", "exact_fp32", "pahq");
    /** The benchmark's sizes. */
    public static final List<String> SIZES = List.of("small", "gpt2-small");
    /** The cap of the {@code gpt2-small} sweep: the first edge tests in ACDC's order (output, then the last blocks). */
    static final int GPT2_SMALL_EDGE_TESTS = 600;
    /** τ of the {@code gpt2-small} sweep. */
    static final double GPT2_SMALL_TAU = 5e-4;
    /** The {@code gpt2-small} task: induction over GPT-2's vocabulary, repeated halves of 8 tokens. */
    static final CircuitTask.Induction GPT2_SMALL_TASK = new CircuitTask.Induction(50257, 8);

    private AcdcBench() {}

    /**
     * {@code [--quick] [--size S] [--repeats N] [--json FILE] [--threads N]}, or {@code --variant V --models DIR
     * [--quick] [--size S]} in a child.
     */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String variant = null, json = null, size = "small";
        Path models = null;
        int threads = Threads.defaultCount(), repeats = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--variant" -> variant = args[++i];
                case "--models" -> models = Path.of(args[++i]);
                case "--json" -> json = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--size" -> size = args[++i];
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --quick, --size small|gpt2-small, --repeats N, --json FILE, --threads N)");
            }
        }
        if (variant != null) {
            child(variant, models, quick, threads, size);
            return;
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        run(quick, size, threads, repeats, models != null ? models : dev.frugal.data.FrugalHome.root().resolve("models")
                .resolve("interp"), json == null ? null : Path.of(json), out);
    }

    /** The default size, {@code small}. */
    public static ObjectNode run(boolean quick, int threads, Path models, Path jsonFile, PrintWriter out)
            throws IOException, InterruptedException {
        return run(quick, "small", threads, models, jsonFile, out);
    }

    /**
     * Runs every variant in its own JVM and prints the table and the summary JSON line.
     *
     * @throws dev.frugal.InvalidSettingException for a size not in {@link #SIZES}, before anything runs
     */
    public static ObjectNode run(boolean quick, String size, int threads, Path models, Path jsonFile, PrintWriter out)
            throws IOException, InterruptedException {
        return run(quick, size, threads, 1, models, jsonFile, out);
    }

    /**
     * As {@link #run(boolean, String, int, Path, Path, PrintWriter)}, running the three variants {@code repeats} times
     * in turn (each run a fresh JVM) and reporting each variant's median time and peak RSS: on this VM one variant's
     * time varied by up to 2× between identical runs.
     *
     * @throws dev.frugal.InvalidSettingException for a size not in {@link #SIZES} or repeats &lt; 1, before anything runs
     */
    public static ObjectNode run(boolean quick, String size, int threads, int repeats, Path models, Path jsonFile,
                                 PrintWriter out) throws IOException, InterruptedException {
        dev.frugal.InvalidSettingException.require(SIZES.contains(size), "size", "must be one of "
                + String.join(", ", SIZES) + ", got " + size);
        dev.frugal.InvalidSettingException.require(repeats >= 1, "repeats", "must be >= 1, got " + repeats);
        Threads.configure(threads);
        modelDir(size, quick, models); // train or write here, never in a timed child
        Map<String, List<JsonNode>> runs = new LinkedHashMap<>();
        for (int rep = 0; rep < repeats; rep++) {
            if (repeats > 1) out.printf("run %d of %d%n", rep + 1, repeats);
            for (String v : VARIANTS) runs.computeIfAbsent(v, k -> new ArrayList<>()).add(child(v, quick, size, threads,
                    models));
        }
        Map<String, JsonNode> res = new LinkedHashMap<>();
        for (var e : runs.entrySet()) res.put(e.getKey(), medianRun(e.getValue()));
        ObjectNode sum = JSON.createObjectNode();
        sum.put("bench", "acdc");
        sum.put("size", size);
        sum.put("repeats", repeats);
        ObjectNode perRun = sum.putObject("time_s_per_run");
        for (var e : runs.entrySet()) {
            var arr = perRun.putArray(e.getKey());
            for (JsonNode r : e.getValue()) arr.add(r.path("time_s").asDouble());
        }
        ObjectNode time = sum.putObject("time_s"), rss = sum.putObject("peak_rss_mb"), edges = sum.putObject("edges");
        ObjectNode sweepRss = sum.putObject("sweep_peak_rss_mb"), tests = sum.putObject("edge_tests");
        ObjectNode perTest = sum.putObject("ms_per_edge_test"), cpu = sum.putObject("cpu_s");
        ObjectNode setupRss = sum.putObject("setup_peak_rss_mb"), loadedRss = sum.putObject("loaded_rss_mb");
        out.printf("%-11s %9s %8s %12s %14s %7s %10s %9s %12s%n", "variant", "time_s", "cpu_s", "peak_rss_mb",
                "sweep_rss_mb", "edges", "edge_tests", "forwards", "ms_per_test");
        for (var e : res.entrySet()) {
            JsonNode r = e.getValue();
            String v = e.getKey();
            time.put(v, r.path("time_s").asDouble());
            cpu.put(v, r.path("cpu_s").asDouble());
            rss.put(v, r.path("peak_rss_mb").asDouble());
            sweepRss.put(v, r.path("sweep_peak_rss_mb").asDouble());
            setupRss.put(v, r.path("setup_peak_rss_mb").asDouble());
            loadedRss.put(v, r.path("loaded_rss_mb").asDouble());
            edges.put(v, r.path("edges").size());
            tests.put(v, r.path("edge_tests").asLong());
            perTest.put(v, round(r.path("time_s").asDouble() * 1000 / Math.max(1, r.path("edge_tests").asLong())));
            out.printf("%-11s %9.2f %8.1f %12.0f %14.0f %7d %10d %9d %12.1f%n", v, r.path("time_s").asDouble(),
                    r.path("cpu_s").asDouble(), r.path("peak_rss_mb").asDouble(), r.path("sweep_peak_rss_mb").asDouble(),
                    r.path("edges").size(), r.path("edge_tests").asLong(), r.path("forwards").asLong(),
                    perTest.path(v).asDouble());
        }
        sum.put("time_ratio", round(time.path("pahq").asDouble() / time.path("acdc_fp32").asDouble()));
        // CPU seconds over the same interval: steadier than wall time on a shared VM, where one variant's wall time
        // moved by 2× between identical runs
        sum.put("cpu_ratio", round(cpu.path("pahq").asDouble() / cpu.path("acdc_fp32").asDouble()));
        sum.put("mem_ratio", round(rss.path("pahq").asDouble() / rss.path("acdc_fp32").asDouble()));
        sum.put("sweep_mem_ratio", round(sweepRss.path("pahq").asDouble() / sweepRss.path("acdc_fp32").asDouble()));
        sum.put("edge_f1", round(Circuit.f1(edgesOf(res.get("acdc_fp32")), edgesOf(res.get("pahq")))));
        sum.put("exact_edges_identical", edgesOf(res.get("acdc_fp32")).equals(edgesOf(res.get("exact_fp32"))));
        sum.put("threshold", res.get("pahq").path("threshold").asDouble());
        sum.put("batch", res.get("pahq").path("batch").asInt());
        sum.put("max_edge_tests", res.get("pahq").path("max_edge_tests").asInt());
        sum.put("graph_edges", res.get("pahq").path("graph_edges").asInt());
        sum.put("threads", threads);
        sum.put("quick", quick);
        String line = JSON.writeValueAsString(sum);
        if (jsonFile != null) Files.writeString(jsonFile, line + "\n", StandardCharsets.UTF_8);
        out.println(line);
        return sum;
    }

    /** One variant's child run: its JSON line. */
    private static JsonNode child(String v, boolean quick, String size, int threads, Path models)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AcdcBench.class.getName(), "--variant", v, "--models", models.toString(), "--threads",
                Integer.toString(threads), "--size", size));
        if (quick) cmd.add("--quick");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("bench child " + v + " failed (exit " + p.exitValue() + ")");
        String[] lines = text.strip().split("\n");
        return JSON.readTree(lines[lines.length - 1]);
    }

    /**
     * One variant's runs as one: the first run's fields (edges, forwards: the same in every run) with the median time
     * and peak RSS of all runs.
     *
     * @throws IllegalStateException when the runs kept different edges
     */
    static JsonNode medianRun(List<JsonNode> runs) {
        ObjectNode r = runs.getFirst().deepCopy();
        for (JsonNode x : runs)
            if (!x.path("edges").equals(r.path("edges"))) throw new IllegalStateException("variant " + r.path("variant")
                    .asText() + " kept different edges in two runs of the same settings");
        for (String k : List.of("time_s", "cpu_s", "peak_rss_mb", "sweep_peak_rss_mb", "setup_peak_rss_mb", "loaded_rss_mb"))
            r.put(k, median(runs.stream().mapToDouble(x -> x.path(k).asDouble()).toArray()));
        return r;
    }


    private static double round(double x) { return Math.round(x * 1e4) / 1e4; }

    private static Set<Edge> edgesOf(JsonNode r) {
        Set<Edge> s = new LinkedHashSet<>();
        for (JsonNode e : r.path("edges")) s.add(Edge.parse(e.asText()));
        return s;
    }

    /** The directory of the model of {@code size} (trained or written under {@code models} on first use). */
    private static Path modelDir(String size, boolean quick, Path models) {
        if (size.equals("gpt2-small")) return ModelZoo.gpt2SmallRandomDir(models);
        return quick ? ModelZoo.induction2lDir(models) : ModelZoo.inductionWideDir(models);
    }

    private static void child(String variant, Path models, boolean quick, int threads, String size) throws IOException {
        Threads.configure(threads);
        boolean large = size.equals("gpt2-small");
        double tau = large ? GPT2_SMALL_TAU : 0.05;
        int batch = large ? (quick ? 2 : 4) : quick ? 16 : 32;
        int cap = large ? GPT2_SMALL_EDGE_TESTS : 0;
        AcdcSettings s = switch (variant) {
            case "acdc_fp32" -> AcdcSettings.reference(tau);
            case "exact_fp32" -> new AcdcSettings(tau, AcdcSettings.Ablation.CORRUPTED, Precision.FP32, true, 16);
            case "pahq" -> new AcdcSettings(tau, AcdcSettings.Ablation.CORRUPTED, Precision.INT8, true, 16);
            default -> throw new IllegalArgumentException("unknown variant " + variant + ": " + VARIANTS);
        };
        s = s.withMaxEdgeTests(cap);
        CircuitTask task = large ? GPT2_SMALL_TASK : quick ? ModelZoo.INDUCTION : ModelZoo.INDUCTION_WIDE;
        // PAHQ loads the model without its blocks (they stay in the checkpoint until a forward reads them, and are
        // kept in low precision only): float32 ACDC needs every float32 matrix resident
        boolean pahq = s.precision() != Precision.FP32;
        Path dir = modelDir(size, quick, models);
        try (CausalLM m = pahq ? null : Models.loadCausalLM(dir, dev.frugal.tensor.Device.CPU);
             Models.Streamed streamed = pahq ? Models.loadCausalLMStreaming(dir) : null;
             Rng rng = Rng.seeded("bench", 1); TaskBatch b = task.batch(rng, batch)) {
            double loadedRss = PeakRss.peakMb();
            long t0 = System.nanoTime(), cpu0 = PeakRss.processCpuNanos();
            Circuit c;
            double setupRss, sweepRss, secs, cpuSecs;
            int graphEdges;
            try (AcdcRun run = pahq ? new AcdcRun(streamed, b, AcdcRun.MetricKind.KL, s.precision(), s.ablation())
                    : new AcdcRun(m, b, AcdcRun.MetricKind.KL, s.precision(), s.ablation())) {
                setupRss = PeakRss.peakMb();
                PeakRss.resetPeak(); // from here VmHWM is the sweep's own peak
                c = run.run(s, null);
                secs = (System.nanoTime() - t0) / 1e9; // closing gives a PAHQ run's model its float32 back: not timed
                cpuSecs = (PeakRss.processCpuNanos() - cpu0) / 1e9;
                sweepRss = PeakRss.peakMb();
                graphEdges = run.graph().edges().size();
            }
            long tested = c.scores().stream().filter(x -> !Double.isNaN(x.delta())).count();
            ObjectNode r = JSON.createObjectNode();
            r.put("variant", variant);
            r.put("time_s", secs);
            r.put("cpu_s", cpuSecs);
            r.put("peak_rss_mb", Math.max(setupRss, sweepRss));
            r.put("loaded_rss_mb", loadedRss);
            r.put("sweep_peak_rss_mb", sweepRss);
            r.put("setup_peak_rss_mb", setupRss);
            r.put("forwards", c.forwards());
            r.put("edge_tests", tested);
            r.put("graph_edges", graphEdges);
            r.put("max_edge_tests", cap);
            r.put("threshold", tau);
            r.put("batch", batch);
            var arr = r.putArray("edges");
            for (Edge e : c.edges()) arr.add(e.toString());
            System.out.println(JSON.writeValueAsString(r));
        }
    }
}
