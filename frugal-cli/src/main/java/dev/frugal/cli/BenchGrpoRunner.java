package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.rl.GroupSampler;
import dev.frugal.rl.SamplerConfig;
import dev.frugal.rl.SamplingMode;
import dev.frugal.rl.task.SamplingBenchShape;
import dev.frugal.rl.task.TinyLm;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The GRPO sampling bench without the command line (so that the GPU pack needs no picocli): the four samplers on the
 * same prompts, policy and seeds, each in a process of its own ({@link BenchGrpoWorker}), a timing process, a table,
 * and one JSON line with the ratios Infinite Sampling reports. {@link BenchGrpoSamplingCommand} and
 * {@link BenchGrpoDevice} run it.
 *
 * @param dir     the trained task-family model
 * @param prompts P
 * @param g       G, completions per prompt
 * @param micro   g, slots of micro/continuous/infinite
 * @param json    receives every JSON line (besides the table on {@code o})
 */
record BenchGrpoRunner(Path dir, int prompts, int g, int micro, long seed, SamplingBenchShape shape, Device device,
                       int threads, Consumer<String> json) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The bench's defaults: G, g and the seed of prompts and samplers (the paper's G = 32, g = 8). */
    static final int DEFAULT_G = 32, DEFAULT_MICRO = 8;
    static final long DEFAULT_SEED = 1;

    /** Prompts per run: 8, or 2 with {@code --quick}. */
    static int prompts(boolean quick) { return quick ? 2 : 8; }

    /** Runs the bench in a temporary directory (replayed lengths, the wide model), removed afterwards. */
    int run(PrintWriter o) throws IOException, InterruptedException {
        int len = dev.frugal.rl.task.TaskFamily.maxAnswerTokens();
        o.printf(Locale.ROOT, "bench grpo-sampling: %s, %d prompts x G=%d (g=%d), max %d new tokens, seed %d, %d thread(s),"
                + " %s%n", dir, prompts, g, micro, len, seed, threads, device);
        Path tmp = Files.createTempDirectory("frugal-grpo-bench");
        try {
            return run(tmp, len, o);
        } finally {
            dev.frugal.io.FileTrees.delete(tmp);
        }
    }

    /** The bench proper; {@code tmp} holds the replayed lengths and the wide model, and is removed afterwards. */
    private int run(Path tmp, int len, PrintWriter o)
            throws IOException, InterruptedException {
        List<String> replayArgs = List.of();
        Path decodeDir = dir;
        String shapeText = "the trained model " + dir;
        if (shape.spec() != null) {
            // the trained policy's own lengths (every sampler gives the same completions), replayed on the wide model
            long t0 = System.nanoTime();
            Path lens = tmp.resolve("lengths.txt"), warm = tmp.resolve("warm-lengths.txt");
            try (CausalLM m = Models.loadCausalLM(dir, Device.CPU); GradMode off = GradMode.off()) {
                SamplerConfig cfg = new SamplerConfig(SamplingMode.CONTINUOUS, g, micro, 0, len, 1.0, 1.0, seed,
                        dev.frugal.rl.task.CharVocab.EOS, 0.2);
                writeLengths(lens, GroupSampler.sample(m, BenchGrpoWorker.prompts(seed, prompts), cfg, null));
                writeLengths(warm, GroupSampler.sample(m, BenchGrpoWorker.prompts(seed + 17, 4 * prompts),
                        cfg.withSeed(seed + 17), null));
            }
            decodeDir = tmp.resolve("model");
            TinyLm t = shape.spec();
            t.write(decodeDir, seed);
            shapeText = String.format(Locale.ROOT, "%s: %s, %d layers, C=%d, %d heads (%d KV), F=%d, vocabulary %,d, %,d"
                    + " parameters, random weights, replaying the lengths of %s", shape, t.arch(), t.layers(), t.hidden(),
                    t.heads(), t.kvHeads(), t.intermediate(), t.vocab(), t.parameterCount(), dir);
            replayArgs = List.of(lens.toString(), warm.toString());
            o.printf(Locale.ROOT, "decoding with %s (lengths sampled in %.1f s)%n", shapeText, (System.nanoTime() - t0) / 1e9);
        }
        o.printf("%-11s %6s %6s %8s %7s %9s %9s %10s %10s%n", "sampler", "slots", "rows", "steps", "tokens", "tok/s",
                "KV MB", "mem MB", "RSS MB");
        o.flush();
        Map<SamplingMode, JsonNode> res = new EnumMap<>(SamplingMode.class);
        Map<SamplingMode, List<String>> samples = new EnumMap<>(SamplingMode.class);
        for (SamplingMode m : SamplingMode.values()) {
            Path comp = Files.createTempFile(tmp, "frugal-grpo-" + m.optionName(), ".txt"); // deleted with tmp if a sampler fails
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC"));
            cmd.addAll(workerProperties());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchGrpoWorker.class.getName(), m.optionName(),
                    decodeDir.toString(), String.valueOf(prompts), String.valueOf(g), String.valueOf(micro),
                    String.valueOf(len), String.valueOf(seed), String.valueOf(threads), comp.toString()));
            cmd.addAll(replayArgs);
            JsonNode r = BenchZoRunner.execJson(m.optionName(), cmd, Map.of("OMP_WAIT_POLICY", "PASSIVE",
                    "OPENBLAS_NUM_THREADS", String.valueOf(threads)));
            if (r.has("error")) throw new IllegalStateException("sampler " + m + " failed: " + r.get("error").asText());
            res.put(m, r);
            samples.put(m, Files.readAllLines(comp));
            Files.deleteIfExists(comp);
            o.printf(Locale.ROOT, "%-11s %6d %6d %8d %7d %9.1f %9.3f %10.1f %10.1f%n", m, r.get("slots").asInt(),
                    r.get("rows").asInt(), r.get("decode_steps").asLong(), r.get("tokens").asLong(),
                    r.get("tokens_per_s").asDouble(), r.get("kv_peak_mb").asDouble(), r.get("mem_peak_mb").asDouble(),
                    r.get("rss_peak_mb").asDouble());
            o.flush();
            json.accept(r.toString());
        }
        // throughput: micro, continuous and infinite in turns in one process (fastest of 3 rounds each)
        List<String> tcmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"));
        tcmd.addAll(workerProperties());
        tcmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchGrpoWorker.class.getName(),
                BenchGrpoWorker.TIMING, decodeDir.toString(), String.valueOf(prompts), String.valueOf(g), String.valueOf(micro), String.valueOf(len), String.valueOf(seed), String.valueOf(threads),
                "-"));
        tcmd.addAll(replayArgs);
        JsonNode timing = BenchZoRunner.execJson(BenchGrpoWorker.TIMING, tcmd, Map.of("OMP_WAIT_POLICY", "PASSIVE",
                "OPENBLAS_NUM_THREADS", String.valueOf(threads)));
        if (timing.has("error")) throw new IllegalStateException("timing run failed: " + timing.get("error").asText());
        o.printf(Locale.ROOT, "interleaved timing (fastest of %d rounds, one process): micro %.1f, continuous %.1f,"
                        + " infinite %.1f tok/s%n", timing.get("rounds").asInt(), timing.get("tokens_per_s_micro").asDouble(),
                timing.get("tokens_per_s_continuous").asDouble(), timing.get("tokens_per_s_infinite").asDouble());
        json.accept(timing.toString());
        List<String> ref = samples.get(SamplingMode.FULL);
        int same = 0;
        for (int i = 0; i < ref.size(); i++) {
            boolean all = true;
            for (List<String> s : samples.values()) all &= i < s.size() && s.get(i).equals(ref.get(i));
            if (all) same++;
        }
        JsonNode full = res.get(SamplingMode.FULL), mi = res.get(SamplingMode.MICRO),
                co = res.get(SamplingMode.CONTINUOUS), in = res.get(SamplingMode.INFINITE);
        ObjectNode s = JSON.createObjectNode();
        s.put("bench", "grpo-sampling");
        s.put("model", dir.toString());
        s.put("shape", shape.optionName());
        s.put("device", device.toString());
        s.put("decode_model", shapeText);
        s.put("decode_steps_lower_bound_g", lowerBound(samples.get(SamplingMode.FULL), micro));
        s.put("prompts", prompts);
        s.put("num_generations", g);
        s.put("micro_group_size", micro);
        s.put("mem_peak_ratio_micro_vs_full", ratio(mi, full, "mem_peak_mb"));
        s.put("kv_peak_ratio_micro_vs_full", ratio(mi, full, "kv_peak_mb"));
        s.put("throughput_ratio_continuous_vs_micro", timing.get("tokens_per_s_continuous").asDouble()
                / timing.get("tokens_per_s_micro").asDouble());
        s.put("throughput_ratio_infinite_vs_micro", timing.get("tokens_per_s_infinite").asDouble()
                / timing.get("tokens_per_s_micro").asDouble());
        s.put("throughput_ratio_infinite_vs_micro_separate_processes", ratio(in, mi, "tokens_per_s"));
        s.put("decode_steps_ratio_infinite_vs_micro", ratio(in, mi, "decode_steps"));
        s.put("decode_steps_micro", mi.get("decode_steps").asLong());
        s.put("decode_steps_infinite", in.get("decode_steps").asLong());
        s.put("identical_samples", ref.isEmpty() ? 0 : (double) same / ref.size());
        s.put("predictor_mae", in.path("predictor_mae").asDouble());
        s.put("predictor_spearman", in.path("predictor_spearman").asDouble());
        s.put("grouping", in.path("grouping").asText());
        for (SamplingMode m : SamplingMode.values()) s.put("rss_peak_mb_" + m.optionName(), res.get(m).get("rss_peak_mb").asDouble());
        s.put("threads", threads);
        o.println(s);
        json.accept(s.toString());
        return 0;
    }

    /** System properties of a worker JVM: {@link BenchZoRunner#nativeOptions()} and the device. */
    private List<String> workerProperties() {
        List<String> c = new ArrayList<>(BenchZoRunner.nativeOptions());
        c.add("-D" + BenchGrpoWorker.DEVICE_PROPERTY + "=" + device);
        return c;
    }

    /** Fewest decode steps any schedule on g slots needs: max(longest − 1, ⌈Σ(len − 1) / g⌉) (a first token is the prefill's). */
    static long lowerBound(List<String> completions, int g) {
        long sum = 0, max = 0;
        for (String c : completions) {
            long l = c.isBlank() ? 0 : c.strip().split(" ").length;
            sum += Math.max(0, l - 1);
            max = Math.max(max, l - 1);
        }
        return Math.max(max, (sum + g - 1) / g);
    }

    private static void writeLengths(Path f, GroupSampler.Result r) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var c : r.completions()) sb.append(c.tokens().length).append('\n');
        Files.writeString(f, sb);
    }

    private static double ratio(JsonNode a, JsonNode b, String key) { return a.get(key).asDouble() / b.get(key).asDouble(); }
}
