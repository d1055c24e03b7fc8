package dev.frugal.cli;

import static dev.frugal.Stats.median;

import dev.frugal.InvalidSettingException;
import dev.frugal.dp.ClippedGradients;
import dev.frugal.dp.ClippingAlgorithm;
import dev.frugal.dp.ClippingConfig;
import dev.frugal.dp.DpEngine;
import dev.frugal.dp.DpSgd;
import dev.frugal.dp.DpStep;
import dev.frugal.dp.RdpAccountant;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.CausalLM;
import dev.frugal.model.LayerOps;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.tensor.Threads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal bench dp [--quick | --size quick|full|large]}: training throughput and peak memory of non-private
 * training and of three DP-SGD clipping algorithms on a seeded GPT-2-style LM (full: 6 blocks, hidden 256, 4 heads,
 * vocab 8192, sequence 128, batch 16, 2 threads; large: GPT-2-small's width and vocabulary, where the explicit
 * baseline's per-sample gradients take several GB), each mode in a fresh JVM so that peak RSS is its own. The last
 * line printed is one JSON object with tokens/s (median over the timed steps; with {@code --repeats N}, the median over
 * N runs of the four modes in turn), peak RSS and the ratios. After each run of the four modes, one more JVM times
 * flashdp against non-private training step for step ({@link #runPaired}: {@code ratio_flashdp_vs_nondp_paired}).
 */
@Command(name = "dp", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark DP-SGD clipping (flashdp, explicit, ghost) against non-private training.")
public final class DpBenchCommand implements Callable<Integer> {
    /** What one mode trains with: plain autograd, or DP-SGD with one of the clipping algorithms. */
    enum Mode { nondp, flashdp, explicit, ghost }

    /**
     * The bench model and batch.
     *
     * @param timed timed steps when {@code --steps} is not given
     */
    enum Size {
        /** A smoke run: 2 blocks, sequence 64, batch 8. */
        quick(2, 256, 4, 8192, 64, 8, 3),
        /** The default: 6 blocks, hidden 256 (6.8M parameters), sequence 128, batch 16. */
        full(6, 256, 4, 8192, 128, 16, 5),
        /**
         * GPT-2-small's width, heads, depth and vocabulary (124M parameters, tied head), sequence 64, batch 16: the
         * explicit baseline's per-sample gradients are B × 124M floats, 7.9 GB.
         */
        large(12, 768, 12, 50257, 64, 16, 3);

        final int blocks, hidden, heads, vocab, seq, batch, timed;

        Size(int blocks, int hidden, int heads, int vocab, int seq, int batch, int timed) {
            this.blocks = blocks;
            this.hidden = hidden;
            this.heads = heads;
            this.vocab = vocab;
            this.seq = seq;
            this.batch = batch;
            this.timed = timed;
        }

        /** Parameters of the model (tied head counted once). */
        long parameters() {
            long h = hidden;
            return (long) vocab * h + (long) seq * h + 2 * h + blocks * (12 * h * h + 13 * h);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Same as --size quick: 2 blocks, sequence 64, batch 8, 3 timed steps.")
    boolean quick;

    @Option(names = "--size", paramLabel = "SIZE", description = "quick, full (default: 6 blocks x 256, sequence 128,"
            + " batch 16) or large (GPT-2-small: 12 blocks x 768, 12 heads, vocab 50257, sequence 64, batch 16; the"
            + " explicit baseline then holds 7.9 GB of per-sample gradients, minutes per mode).")
    Size size;

    @Option(names = "--steps", paramLabel = "N", description = "Timed steps (>= 1) after 1 warm-up step (default 5;"
            + " 3 with --size quick or large).")
    Integer steps;

    @Option(names = "--repeats", paramLabel = "N", description = "Run the four modes N times in turn (default 1) and"
            + " report each mode's median tokens/s and peak RSS over the N runs, with every run's flashdp/nondp ratio:"
            + " on a shared VM one run's ratio moves by about ±0.1.")
    int repeats = 1;

    /** Threads per mode: the global {@code --threads}, default 2 (the setting); children get it here. */
    @Option(names = "--worker-threads", hidden = true, paramLabel = "N")
    int threads = 2;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--mode", hidden = true, description = "Run one mode in this process (used by the parent).")
    Mode mode;

    @Option(names = "--paired", hidden = true, description = "Run flashdp and nondp step for step in this process (used"
            + " by the parent).")
    boolean paired;

    public static void main(String[] args) { System.exit(new CommandLine(new DpBenchCommand()).execute(args)); }

    @Override
    public Integer call() throws Exception {
        if (mode == null && spec != null && spec.root().userObject() instanceof FrugalCommand f && f.threads != null)
            threads = f.threads;
        if (steps != null && steps < 1) throw new InvalidSettingException("--steps", "must be >= 1, got " + steps);
        if (repeats < 1) throw new InvalidSettingException("--repeats", "must be >= 1, got " + repeats);
        if (quick && size != null && size != Size.quick)
            throw new InvalidSettingException("--quick", "and --size " + size + " choose different models: pass one");
        Size z = quick ? Size.quick : size == null ? Size.full : size;
        int timed = steps == null ? z.timed : steps;
        PrintWriter o = spec.commandLine().getOut();
        if (paired) {
            o.println(runPaired(z, timed));
            o.flush();
            return 0;
        }
        if (mode != null) {
            o.println(runMode(mode, z, timed));
            o.flush();
            return 0;
        }
        o.printf(Locale.ROOT, "bench dp (%s): GPT-2-style %d blocks x hidden %d, %d heads, vocab %d (%.1fM parameters),"
                + " sequence %d, batch %d, %d threads, median of %d steps after 1 warm-up%n", z, z.blocks, z.hidden,
                z.heads, z.vocab, z.parameters() / 1e6, z.seq, z.batch, threads, timed);
        Map<String, List<Double>> tpsRuns = new LinkedHashMap<>(), rssRuns = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        List<Double> pairs = new ArrayList<>();
        o.printf("%-10s %12s %12s%n", "mode", "tokens/s", "peak RSS MB");
        for (int rep = 0; rep < repeats; rep++) {
            if (repeats > 1) o.printf(Locale.ROOT, "run %d of %d%n", rep + 1, repeats);
            for (Mode mode : Mode.values()) {
                String m = mode.name(), line = child(mode, z, timed);
                lines.add(line);
                tpsRuns.computeIfAbsent(m, k -> new ArrayList<>()).add(field(line, "tokens_per_s"));
                rssRuns.computeIfAbsent(m, k -> new ArrayList<>()).add(field(line, "peak_rss_mb"));
                o.printf(Locale.ROOT, "%-10s %12.1f %12.1f%n", m, field(line, "tokens_per_s"), field(line, "peak_rss_mb"));
                o.flush();
            }
            String line = child(null, z, timed);
            lines.add(line);
            List<Double> r = list(line, "ratio_flashdp_vs_nondp_pairs");
            pairs.addAll(r);
            o.printf(Locale.ROOT, "%-10s flashdp/nondp step for step in one process: %s%n", "paired", r);
            o.flush();
        }
        Map<String, Double> tps = new LinkedHashMap<>(), rss = new LinkedHashMap<>();
        tpsRuns.forEach((m, v) -> tps.put(m, median(v)));
        rssRuns.forEach((m, v) -> rss.put(m, median(v)));
        StringBuilder perRun = new StringBuilder("[");
        for (int rep = 0; rep < repeats; rep++)
            perRun.append(rep > 0 ? "," : "").append(String.format(Locale.ROOT, "%.4f",
                    tpsRuns.get("flashdp").get(rep) / tpsRuns.get("nondp").get(rep)));
        perRun.append(']');
        if (repeats > 1) o.printf(Locale.ROOT, "medians over %d runs; flashdp/nondp per run %s%n", repeats, perRun);
        String last = String.format(Locale.ROOT, "{\"bench\":\"dp\",\"quick\":%s,\"size\":\"%s\",\"repeats\":%d,"
                        + "\"shape\":{\"blocks\":%d,"
                        + "\"hidden\":%d,\"heads\":%d,\"vocab\":%d,\"seq\":%d,\"batch\":%d,\"threads\":%d,\"params\":%d},"
                        + "\"tokens_per_s\":%s,\"peak_rss_mb\":%s,\"ratio_flashdp_vs_nondp\":%.4f,"
                        + "\"ratio_flashdp_vs_explicit\":%.4f,\"ratio_flashdp_vs_ghost\":%.4f,\"mem_ratio_flashdp_vs_nondp\":%.4f,"
                        + "\"mem_ratio_flashdp_vs_explicit\":%.4f,\"ratio_flashdp_vs_nondp_per_run\":%s,"
                        + "\"ratio_flashdp_vs_nondp_paired\":%.4f,\"ratio_flashdp_vs_nondp_paired_pairs\":%s}", z == Size.quick, z,
                repeats, z.blocks, z.hidden, z.heads, z.vocab,
                z.seq, z.batch, threads, z.parameters(), obj(tps), obj(rss), tps.get("flashdp") / tps.get("nondp"),
                tps.get("flashdp") / tps.get("explicit"), tps.get("flashdp") / tps.get("ghost"),
                rss.get("flashdp") / rss.get("nondp"), rss.get("flashdp") / rss.get("explicit"), perRun, median(pairs),
                pairs.stream().map(x -> String.format(Locale.ROOT, "%.4f", x)).collect(java.util.stream.Collectors
                        .joining(",", "[", "]")));
        lines.add(last);
        json.append(lines.toArray(String[]::new));
        lines.forEach(o::println);
        o.flush();
        return 0;
    }

    private static String obj(Map<String, Double> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":")
                .append(String.format(Locale.ROOT, "%.2f", v)));
        return b.append('}').toString();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Member {@code key} of a child's one-line JSON object; fails naming the key and the line when it is missing. */
    private static com.fasterxml.jackson.databind.JsonNode member(String json, String key) {
        com.fasterxml.jackson.databind.JsonNode v;
        try {
            v = JSON.readTree(json).get(key);
        } catch (IOException e) {
            throw new IllegalStateException("not a JSON line: " + json, e);
        }
        if (v == null) throw new IllegalStateException("no " + key + " in " + json);
        return v;
    }

    /** The numbers of array {@code key} in a one-line JSON object. */
    static List<Double> list(String json, String key) {
        com.fasterxml.jackson.databind.JsonNode a = member(json, key);
        if (!a.isArray()) throw new IllegalStateException("no array " + key + " in " + json);
        List<Double> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asDouble()));
        return out;
    }

    static double field(String json, String key) {
        com.fasterxml.jackson.databind.JsonNode v = member(json, key);
        if (!v.isNumber()) throw new IllegalStateException(key + " is not a number in " + json);
        return v.asDouble();
    }

    /** Runs one mode (null: flashdp and nondp paired) in a fresh JVM with the same class path; returns its JSON line. */
    private String child(Mode m, Size z, int timed) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "-cp", System.getProperty("java.class.path"), DpBenchCommand.class.getName()));
        cmd.addAll(m == null ? List.of("--paired") : List.of("--mode", m.name()));
        cmd.addAll(List.of("--worker-threads", Integer.toString(threads), "--steps", Integer.toString(timed), "--size",
                z.name()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        Process p = pb.start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String l; (l = r.readLine()) != null; ) if (l.startsWith("{")) last = l;
        }
        if (p.waitFor() != 0 || last == null) throw new IllegalStateException("bench mode " + m + " failed (exit "
                + p.exitValue() + ")");
        return last;
    }

    /** One mode in this process: build the model, warm up, time {@code timed} steps. */
    static String runMode(Mode m, Size z, int timed) {
        Threads.configure(Integer.parseInt(System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "2")));
        try (Trainer t = new Trainer(m, z)) {
            double[] secs = new double[timed];
            for (int s = -1; s < timed; s++) {
                double sec = t.step();
                if (s >= 0) secs[s] = sec;
            }
            double[] sorted = secs.clone();
            Arrays.sort(sorted);
            double median = sorted[timed / 2];
            return String.format(Locale.ROOT, "{\"mode\":\"%s\",\"tokens_per_s\":%.2f,\"median_step_s\":%.4f,"
                    + "\"peak_rss_mb\":%.1f,\"steps\":%d}", m, z.batch * z.seq / median, median, peakRssMb(), timed);
        }
    }

    /**
     * flashdp and non-private training in one process, step for step: each pair runs one step of each on the same
     * batch, the order swapped from pair to pair, so that both see the same machine (on this VM the baseline's own speed
     * moved by 12-24 % between the separate runs). Returns each pair's flashdp/nondp speed (nondp's step time over
     * flashdp's). Time only: the process holds both models, so its memory says nothing.
     */
    static String runPaired(Size z, int pairs) {
        Threads.configure(Integer.parseInt(System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "2")));
        try (Trainer plain = new Trainer(Mode.nondp, z); Trainer flash = new Trainer(Mode.flashdp, z)) {
            for (int w = 0; w < 2; w++) { // the first steps of a process run slow (allocation, JIT), for both
                plain.step();
                flash.step();
            }
            StringBuilder r = new StringBuilder();
            for (int i = 0; i < pairs; i++) {
                double a, b;
                if (i % 2 == 0) {
                    a = plain.step();
                    b = flash.step();
                } else {
                    b = flash.step();
                    a = plain.step();
                }
                r.append(i > 0 ? "," : "").append(String.format(Locale.ROOT, "%.4f", a / b));
            }
            return "{\"mode\":\"paired\",\"ratio_flashdp_vs_nondp_pairs\":[" + r + "]}";
        }
    }

    /** One mode's model, batches and optimiser: {@link #step} trains one step and returns its seconds. */
    private static final class Trainer implements AutoCloseable {
        private final Size z;
        private final CausalLM model;
        private final Rng data, noise;
        private final LinkedHashMap<String, Tensor> params;
        private final DpEngine engine;
        private final DpSgd opt;

        Trainer(Mode m, Size z) {
            this.z = z;
            this.model = seededGpt2(z.blocks, z.hidden, z.heads, z.vocab, z.seq);
            this.data = Rng.seeded("bench-data", 1);
            this.noise = Rng.seeded("bench-noise", 2);
            this.params = model.namedParameters();
            this.engine = switch (m) {
                case flashdp -> new DpEngine(params, ClippingConfig.perLayer(1.0));
                case explicit -> new DpEngine(params, ClippingConfig.flat(1.0).withAlgorithm(ClippingAlgorithm.EXPLICIT));
                case ghost -> new DpEngine(params, ClippingConfig.flat(1.0).withAlgorithm(ClippingAlgorithm.GHOST));
                case nondp -> null;
            };
            this.opt = engine == null ? null : new DpSgd(params, new DpSgd.Settings(1e-3, 0, 1.0), 0.01, z.batch,
                    new RdpAccountant(), noise);
            if (engine == null) params.values().forEach(t -> t.requiresGrad(true));
        }

        double step() {
            int batch = z.batch;
            try (Scope sc = Scope.open()) {
                Tensor ids = Tensors.randint(0, z.vocab, data, batch, z.seq);
                long t0 = System.nanoTime();
                if (engine == null) {
                    Tensor loss = perSampleLoss(model, ids, LayerOps.PLAIN).mean();
                    long f1 = System.nanoTime();
                    loss.backward();
                    if (System.getenv("FRUGAL_BENCH_PROFILE") != null)
                        System.err.printf(Locale.ROOT, "forward %.2f s, backward %.2f s%n", (f1 - t0) / 1e9,
                                (System.nanoTime() - f1) / 1e9);
                    try (GradMode off = GradMode.off()) {
                        for (Tensor p : params.values()) {
                            p.addInPlace(p.grad(), -1e-3);
                            p.clearGrad();
                        }
                    }
                } else {
                    ClippedGradients g;
                    boolean profile = System.getenv("FRUGAL_BENCH_PROFILE") != null;
                    long h0 = dev.frugal.tensor.GradHook.callbackNanos(), f0 = System.nanoTime(), f1, b1;
                    Map<String, Long> byKind = new java.util.TreeMap<>();
                    try (DpStep step = engine.begin(batch)) {
                        Tensor loss = perSampleLoss(model, ids, step);
                        f1 = System.nanoTime();
                        g = step.backward(loss);
                        b1 = System.nanoTime();
                        if (profile) // hook times by kind: only when asked, not inside every timed step
                            step.hookNanos().forEach((k, v) -> byKind.merge(k.replaceAll("\\.\\d+\\.", ".*."), v, Long::sum));
                    }
                    opt.step(g);
                    if (profile) {
                        System.err.printf(Locale.ROOT, "forward %.2f s, backward %.2f s (hooks %.2f s), noisy step %.2f s%n",
                                (f1 - f0) / 1e9, (b1 - f1) / 1e9, (dev.frugal.tensor.GradHook.callbackNanos() - h0) / 1e9,
                                (System.nanoTime() - b1) / 1e9);
                        System.err.printf(Locale.ROOT, "  rss %.0f MB, peak %.0f MB%n", rssMb("VmRSS:"), peakRssMb());
                        byKind.forEach((k, v) -> System.err.printf(Locale.ROOT, "  hooks %-32s %.3f s%n", k, v / 1e9));
                    }
                }
                return (System.nanoTime() - t0) / 1e9;
            }
        }

        @Override
        public void close() {
            noise.close();
            data.close();
            model.close();
        }
    }

    /** Mean next-token cross-entropy per sequence: {@code ids (B, T)} → {@code (B)}. */
    static Tensor perSampleLoss(CausalLM model, Tensor ids, LayerOps ops) {
        long b = ids.size(0), t = ids.size(1);
        Tensor logits = model.logits(ids, null, null, ops);
        long v = logits.size(2);
        return NN.crossEntropyPerRow(logits.narrow(1, 0, t - 1).reshape(b * (t - 1), v),
                ids.narrow(1, 1, t - 1).reshape(b * (t - 1)), -100).view(b, t - 1).mean(1, false);
    }

    /** A GPT-2 with N(0, 0.02²) weights from a fixed seed, written to a temporary directory and loaded. */
    static CausalLM seededGpt2(int layers, int hidden, int heads, int vocab, int positions) {
        try {
            Path dir = Files.createTempDirectory("frugal-bench-gpt2");
            Files.writeString(dir.resolve("config.json"), String.format(Locale.ROOT, "{\"model_type\":\"gpt2\","
                    + "\"architectures\":[\"GPT2LMHeadModel\"],\"vocab_size\":%d,\"n_embd\":%d,\"n_layer\":%d,\"n_head\":%d,"
                    + "\"n_positions\":%d,\"n_inner\":null,\"activation_function\":\"gelu_new\",\"layer_norm_epsilon\":1e-5,"
                    + "\"tie_word_embeddings\":true,\"scale_attn_weights\":true}", vocab, hidden, layers, heads, positions));
            try (Rng rng = Rng.seeded("bench-init", 0); Scope s = Scope.open()) {
                Map<String, Tensor> w = new LinkedHashMap<>();
                String p = "transformer.";
                w.put(p + "wte.weight", Tensors.randn(rng, vocab, hidden).mul(0.02));
                w.put(p + "wpe.weight", Tensors.randn(rng, positions, hidden).mul(0.02));
                for (int i = 0; i < layers; i++) {
                    String l = p + "h." + i + ".";
                    norm(w, l + "ln_1", hidden);
                    conv(w, rng, l + "attn.c_attn", hidden, 3 * hidden);
                    conv(w, rng, l + "attn.c_proj", hidden, hidden);
                    norm(w, l + "ln_2", hidden);
                    conv(w, rng, l + "mlp.c_fc", hidden, 4 * hidden);
                    conv(w, rng, l + "mlp.c_proj", 4 * hidden, hidden);
                }
                norm(w, p + "ln_f", hidden);
                SafetensorsWriter.write(dir.resolve("model.safetensors"), w, Map.of());
            }
            CausalLM m = Models.loadCausalLM(dir, Device.CPU);
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void norm(Map<String, Tensor> w, String n, int h) {
        w.put(n + ".weight", Tensors.ones(h));
        w.put(n + ".bias", Tensors.zeros(h));
    }

    private static void conv(Map<String, Tensor> w, Rng rng, String n, int in, int out) {
        w.put(n + ".weight", Tensors.randn(rng, in, out).mul(0.02));
        w.put(n + ".bias", Tensors.zeros(out));
    }

    /** Peak resident set size of this process (VmHWM), MiB. */
    static double peakRssMb() { return rssMb("VmHWM:"); }

    /** A memory figure of this process from {@code /proc/self/status} ({@code VmHWM:}, {@code VmRSS:}), MiB. */
    static double rssMb(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith(field)) return Long.parseLong(l.replaceAll("\\D", "")) / 1024.0;
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
