package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.data.FrugalHome;
import dev.frugal.rl.SamplingMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal bench grpo-sampling}: the four samplers on the same prompts, policy and seeds, each in a process of
 * its own ({@link BenchGrpoWorker}); a table, then one JSON line with the ratios Infinite Sampling reports.
 */
@Command(name = "grpo-sampling", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Peak memory, KV bytes, throughput and decode steps of full | micro | continuous | infinite GRPO"
                + " sampling on the task-family model, and whether all four give the same completions.")
public final class BenchGrpoSamplingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "2 prompts x G=32 (default: 8 prompts x G=32).")
    boolean quick;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--model", paramLabel = "DIR",
            description = "A 'frugal rl pretrain' model (default $FRUGAL_HOME/models/rl-tiny).")
    Path model;

    @Option(names = "--num-generations", paramLabel = "G", description = "Completions per prompt (default 32).")
    int g = 32;

    @Option(names = "--micro-group-size", paramLabel = "g", description = "Decode slots of micro/continuous/infinite (default 8).")
    int micro = 8;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of prompts and samplers (default 1).")
    long seed = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (micro < 1 || micro > g) throw new ParameterException(spec.commandLine(), "--micro-group-size " + micro
                + " must be in [1, --num-generations " + g + "]");
        Path dir = model != null ? model : FrugalHome.root().resolve("models").resolve("rl-tiny");
        if (!Files.isRegularFile(dir.resolve("config.json")))
            throw new dev.frugal.UserInputException("no model at " + dir + ": run 'frugal rl pretrain --out " + dir
                    + "' first, or give --model DIR");
        int threads = spec.root().userObject() instanceof FrugalCommand f ? f.configureThreads() : 1;
        int prompts = quick ? 2 : 8, len = dev.frugal.rl.task.TaskFamily.maxAnswerTokens();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "bench grpo-sampling: %s, %d prompts x G=%d (g=%d), max %d new tokens, seed %d, %d thread(s)%n",
                dir, prompts, g, micro, len, seed, threads);
        o.printf("%-11s %6s %6s %8s %7s %9s %9s %10s %10s%n", "sampler", "slots", "rows", "steps", "tokens", "tok/s",
                "KV MB", "mem MB", "RSS MB");
        o.flush();
        Map<SamplingMode, JsonNode> res = new EnumMap<>(SamplingMode.class);
        Map<SamplingMode, List<String>> samples = new EnumMap<>(SamplingMode.class);
        for (SamplingMode m : SamplingMode.values()) {
            Path comp = Files.createTempFile("frugal-grpo-" + m.optionName(), ".txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), BenchGrpoWorker.class.getName(), m.optionName(),
                    dir.toString(), String.valueOf(prompts), String.valueOf(g), String.valueOf(micro),
                    String.valueOf(len), String.valueOf(seed), String.valueOf(threads), comp.toString()));
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
            json.append(r.toString());
        }
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
        s.put("prompts", prompts);
        s.put("num_generations", g);
        s.put("micro_group_size", micro);
        s.put("mem_peak_ratio_micro_vs_full", ratio(mi, full, "mem_peak_mb"));
        s.put("kv_peak_ratio_micro_vs_full", ratio(mi, full, "kv_peak_mb"));
        s.put("throughput_ratio_continuous_vs_micro", ratio(co, mi, "tokens_per_s"));
        s.put("throughput_ratio_infinite_vs_micro", ratio(in, mi, "tokens_per_s"));
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
        json.append(s.toString());
        return 0;
    }

    private static double ratio(JsonNode a, JsonNode b, String key) { return a.get(key).asDouble() / b.get(key).asDouble(); }
}
