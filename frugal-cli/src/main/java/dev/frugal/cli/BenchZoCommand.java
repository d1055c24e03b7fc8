package dev.frugal.cli;

import dev.frugal.InvalidSettingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal bench zo}: ZO-SGD step time and peak memory of frugal's in-memory engine, ZO2 over a host tier and a
 * disk tier (bf16, 2 resident blocks), the disk tier on a model twice as deep, and the peer (princeton-nlp/MeZO's step
 * in Debian's PyTorch), each mode in a fresh process ({@link BenchZoWorker}, {@code bench/peers/mezo_torch.py}).
 * Prints a table, writes every mode's JSON line and the summary to {@code --json}, and ends with the summary object
 * {@code {"bench":"zo","step_s":{...},"peak_rss_mb":{...},"fwd2_s":..,ratios...}}.
 */
@Command(name = "zo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark ZO-SGD: in-memory, ZO2 host/disk offload (bf16, K=2), 2x depth, and PyTorch MeZO.")
public final class BenchZoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A small model (smoke test, seconds per mode).")
    boolean quick;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--mid", description = "The full model's width at 4 blocks (69M parameters): side-by-side mode"
            + " comparisons on a loaded machine, where the full model takes too long.")
    boolean mid;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "5", description = "Timed steps per mode (default 5).")
    int steps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "Untimed steps first (default 1).")
    int warmup;

    @Option(names = "--bench-threads", paramLabel = "N", defaultValue = "2",
            description = "Threads of every mode's process (ATen, OpenBLAS, OpenMP; default 2).")
    int threads;

    @Option(names = "--modes", paramLabel = "LIST", split = ",",
            description = "Modes to run (default all): inmem, inmem_parallel, host_bf16, disk_bf16, disk_bf16_x2,"
                    + " host_bf16_parallel, disk_bf16_parallel, mezo_torch; also disk_bf16_opt67b (not in the default"
                    + " set: an OPT-6.7B-shaped model streamed from disk, 14 GB of disk, minutes per step).")
    List<String> modes;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the disk tier's block files go (default: a temporary directory, deleted after).")
    Path workDir;

    @Option(names = "--python", paramLabel = "EXE", defaultValue = "/usr/bin/python3",
            description = "Python with PyTorch for the peer (default /usr/bin/python3, Debian's python3-torch).")
    String python;

    @Option(names = "--no-setup", description = "Do not apt-get install python3-torch / libopenblas0-openmp when missing.")
    boolean noSetup;

    @Option(names = "--malloc", paramLabel = "POLICY", defaultValue = "engine", description = "glibc's handling of freed"
            + " tensors in frugal's processes: engine (default: what each mode's engine sets, reuse in memory, return"
            + " when offloading), or every mode alike: reuse (freed activations stay mapped for the next ones: fast) or"
            + " return (every block of 256 KB or more unmapped when freed: the least memory, page faults on every"
            + " activation).")
    String malloc;

    @Option(names = "--profile", description = "Instead of the modes: one forward of the model part by part (embedding,"
            + " layer norms, projections, attention core, fc1, activation, fc2, residual adds, LM head, loss) in frugal"
            + " and in the PyTorch peer, side by side, with the peer's ATen ops (--steps forwards after --warmup).")
    boolean profile;

    @Option(names = "--from", paramLabel = "FILE",
            description = "Summarise mode lines from earlier --json files instead of running (the last line per mode wins).")
    List<Path> from;

    @Override
    public Integer call() throws IOException {
        if (from != null && !from.isEmpty()) return summarise(spec.commandLine().getOut());
        if (steps < 1) throw new InvalidSettingException("--steps", "must be >= 1, got " + steps);
        if (warmup < 0) throw new InvalidSettingException("--warmup", "must be >= 0, got " + warmup);
        if (threads < 1) throw new InvalidSettingException("--bench-threads", "must be >= 1, got " + threads);
        if (quick && mid) throw new InvalidSettingException("--mid", "and --quick choose different models: pass one");
        if (!List.of("engine", "reuse", "return").contains(malloc))
            throw new InvalidSettingException("--malloc", "must be engine, reuse or return, got '" + malloc + "'");
        if (profile && modes != null) throw new InvalidSettingException("--profile", "runs no modes: drop --modes");
        // frugal's --device (inherited by every command) selects ZO2's GPU setting: bf16 compute on that device,
        // OPT-1.3B and OPT-6.7B shapes at 1 x 2048 tokens, modes mezo / inmem / zo2 (cpu with --quick: a smoke test)
        String device = spec.root().userObject() instanceof FrugalCommand f ? f.device : null;
        if (device != null) {
            dev.frugal.tensor.Device d = dev.frugal.tensor.Device.parse(device);
            dev.frugal.tensor.Backend.requireDevice(d);
            try {
                return BenchZoDevice.run(spec.commandLine().getOut(), d, quick, steps, warmup, json.file);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (profile) return profile(spec.commandLine().getOut());
        List<BenchZoMode> run = new ArrayList<>();
        if (modes == null || modes.isEmpty()) {
            for (BenchZoMode each : BenchZoMode.values()) if (each.inDefaultSet()) run.add(each);
        } else {
            for (String m : modes) run.add(BenchZoMode.parse(m));
        }
        PrintWriter out = spec.commandLine().getOut();
        String size = quick ? "quick" : mid ? "mid" : "full";
        BenchZoShape shape = BenchZoShape.named(size);
        if (run.stream().anyMatch(BenchZoMode::inDefaultSet))
            out.printf("bench zo (%s): OPT-style %d blocks x hidden %d, %d heads, ffn %d, vocab %d (%.0fM params), batch"
                            + " %d x %d, %d threads, median of %d steps after %d warm-up%n", size, shape.layers(),
                    shape.hidden(), shape.heads(), shape.ffn(), shape.vocab(), shape.parameterCount(1) / 1e6,
                    shape.batch(), shape.tokens(), threads, steps, warmup);
        if (run.contains(BenchZoMode.DISK_BF16_OPT67B)) {
            BenchZoShape big = BenchZoShape.OPT_6_7B_SHORT;
            out.printf("bench zo disk_bf16_opt67b: OPT-6.7B shapes (%d blocks x hidden %d, ffn %d, vocab %d, %.2fB"
                    + " params), batch %d x %d, every parameter streamed from disk (DiskStreamEngine, bf16 blocks),"
                    + " %d threads, median of %d steps after %d warm-up%n", big.layers(), big.hidden(), big.ffn(),
                    big.vocab(), big.parameterCount(1) / 1e9, big.batch(), big.tokens(), threads, steps, warmup);
        }
        out.flush();
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("frugal-bench-zo");
        BenchZoRunner runner = new BenchZoRunner(threads, steps, warmup, size, python, !noSetup, out).malloc(malloc);
        Map<BenchZoMode, JsonNode> results = new EnumMap<>(BenchZoMode.class);
        List<String> lines = new ArrayList<>();
        try {
            for (BenchZoMode m : run) {
                JsonNode r = runner.run(m, dir.resolve(m.key()));
                results.put(m, r);
                lines.add(r.toString());
                json.append(r.toString()); // each mode as soon as it is done
                out.printf("  %-13s %s%n", m.key(), r.has("error") ? "FAILED: " + r.get("error").asText()
                        : String.format(Locale.ROOT, "step %.3f s   peak RSS %.0f MB%s", r.get("step_s").asDouble(),
                        r.get("peak_rss_mb").asDouble(), r.has("fwd2_s")
                                ? String.format(Locale.ROOT, "   fwd2 %.3f s", r.get("fwd2_s").asDouble()) : ""));
                out.flush();
            }
        } finally {
            if (workDir == null) deleteTree(dir);
        }
        return report(out, results);
    }

    /** {@code --profile}: frugal's and the peer's forward, part by part, side by side; the JSON line last. */
    private int profile(PrintWriter out) {
        String size = quick ? "quick" : mid ? "mid" : "full";
        BenchZoShape shape = BenchZoShape.named(size);
        out.printf("bench zo --profile (%s): one forward of the OPT-style model (%d blocks x hidden %d, batch %d x %d),"
                        + " %d threads, median of %d forwards after %d warm-up%n", size, shape.layers(), shape.hidden(),
                shape.batch(), shape.tokens(), threads, steps, warmup);
        out.flush();
        JsonNode[] r = new BenchZoRunner(threads, steps, warmup, size, python, !noSetup, out).malloc(malloc).profile();
        ObjectNode sum = json().createObjectNode();
        sum.put("bench", "zo-profile");
        sum.put("size", size);
        sum.put("threads", threads);
        sum.set("frugal", r[0]);
        sum.set("torch", r[1]);
        for (JsonNode side : r) if (side.has("error")) out.println("  " + side.path("mode").asText() + " FAILED: " + side.get("error").asText());
        if (!r[0].has("error") && !r[1].has("error")) {
            out.printf("%n%-16s %12s %12s %8s%n", "part", "frugal ms", "torch ms", "ratio");
            for (String part : BenchZoProfile.PARTS) {
                double f = r[0].path("parts_ms").path(part).asDouble(), t = r[1].path("parts_ms").path(part).asDouble();
                out.printf(Locale.ROOT, "%-16s %12.1f %12.1f %8.2f%n", part, f, t, t > 0 ? f / t : Double.NaN);
            }
            double f = r[0].path("forward_s").asDouble(), t = r[1].path("forward_s").asDouble();
            out.printf(Locale.ROOT, "%-16s %12.1f %12.1f %8.2f%n", "forward", 1e3 * f, 1e3 * t, f / t);
            sum.put("ratio_forward_frugal_vs_torch", f / t);
            out.println("\nthe peer's ATen ops (torch.autograd.profiler, self CPU ms, one forward):");
            r[1].path("aten_self_ms").fields().forEachRemaining(e ->
                    out.printf(Locale.ROOT, "  %-36s %10.1f%n", e.getKey(), e.getValue().asDouble()));
        }
        json.append(sum.toString());
        out.println(sum);
        out.flush();
        return r[0].has("error") || r[1].has("error") ? 1 : 0;
    }

    /** {@code --from}: the summary of mode lines already measured (e.g. modes run separately). */
    private int summarise(PrintWriter out) throws IOException {
        Map<BenchZoMode, JsonNode> results = new EnumMap<>(BenchZoMode.class);
        ObjectMapper m = json();
        for (Path f : from) {
            for (String line : Files.readAllLines(f)) {
                if (!line.startsWith("{")) continue;
                JsonNode n = m.readTree(line);
                if (n.has("mode") && !n.has("error")) results.put(BenchZoMode.parse(n.get("mode").asText()), n);
            }
        }
        return report(out, results);
    }

    /** The summary of {@code results}: a table, then the summary object (also appended to {@code --json}). */
    private int report(PrintWriter out, Map<BenchZoMode, JsonNode> results) {
        ObjectNode summary = BenchZoSummary.of(results);
        BenchZoSummary.printTable(out, summary);
        json.append(summary.toString());
        out.println(summary);
        out.flush();
        return 0;
    }

    private static void deleteTree(Path dir) {
        try {
            dev.frugal.io.FileTrees.delete(dir);
        } catch (IOException e) {
            // a scratch directory left behind is harmless
        }
    }

    /** {@code java ... BenchZoCommand [options]}: the bench alone, for when it is not registered under frugal bench. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchZoCommand()).execute(args));
    }

    static ObjectMapper json() { return new ObjectMapper(); }
}
