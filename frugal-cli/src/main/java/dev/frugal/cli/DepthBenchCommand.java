package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.depth.DepthExperiment;
import dev.frugal.depth.DepthTrainer;
import dev.frugal.depth.ExperimentConfig;
import dev.frugal.depth.sim.VibrationIntensity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frugal bench depth}: vision-only vs V²-SfMLearner at three vibration intensities, 3 seeds each, same data
 * and budgets ({@link ExperimentConfig#full()}: 80×64, 6 training + 2 test sequences of 60 frames per intensity,
 * 4 epochs, batch 4; {@code --quick}: 64×48, 2+1 sequences of 12 frames, 1 epoch). Prints a table, writes the PNGs
 * and {@code metrics.jsonl} under {@code --out}, and ends with one JSON line {@code {"bench":"depth", ...}}.
 */
@Command(name = "depth", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark V2-SfMLearner against vision-only depth/pose at three vibration intensities.")
public final class DepthBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Smoke run: 64x48, 2+1 sequences of 12 frames, 1 epoch (3 seeds).")
    boolean quick;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the PNGs and metrics.jsonl go (default $FRUGAL_HOME/runs/bench-depth, --quick: bench-depth-quick).")
    Path out;

    @Override
    public Integer call() throws IOException {
        int threads = spec.root().userObject() instanceof FrugalCommand f ? f.configureThreads() : 2;
        if (!(spec.root().userObject() instanceof FrugalCommand)) dev.frugal.tensor.Threads.configure(threads);
        ExperimentConfig cfg = quick ? ExperimentConfig.quick() : ExperimentConfig.full();
        Path dir = RunDirs.resolve(out, quick ? "bench-depth-quick" : "bench-depth");
        Files.createDirectories(dir);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "bench depth%s: %dx%d, %d+%d sequences x %d frames per intensity, %d epochs, batch %d, seeds %s, %d threads%n",
                quick ? " --quick" : "", cfg.width(), cfg.height(), cfg.trainSequences(), cfg.testSequences(), cfg.frames(), cfg.epochs(),
                cfg.batchSize(), cfg.seeds(), threads);
        o.flush();
        List<Double> renderMs = new ArrayList<>();
        Map<VibrationIntensity, Double> flatAbsRel = new java.util.EnumMap<>(VibrationIntensity.class);
        ForkJoinPool pool = new ForkJoinPool(threads);
        long t0 = System.nanoTime();
        List<DepthExperiment.Run> runs;
        try (MetricsLog log = new MetricsLog(dir.resolve("metrics.jsonl"), false)) {
            ProgressBar[] bar = {null};
            runs = DepthExperiment.run(cfg, pool, new DepthExperiment.Listener() {
                @Override
                public void rendered(VibrationIntensity vi, int sequences, double ms) {
                    renderMs.add(ms);
                    log.write(Map.of("rendered", vi.cliName(), "sequences", sequences, "ms_per_frame", ms));
                }

                @Override
                public void flatBaseline(VibrationIntensity vi, dev.frugal.depth.DepthMetrics flat) {
                    flatAbsRel.put(vi, flat.absRel());
                    log.write(Map.of("flat_baseline", vi.cliName(), "abs_rel", flat.absRel()));
                }

                @Override
                public void step(VibrationIntensity vi, boolean vib, long seed, DepthTrainer.Step st, long total) {
                    if (bar[0] == null) bar[0] = Progress.bar(String.format("%s %s seed %d", vi.cliName(), vib ? "v2" : "vision", seed), total, "steps");
                    bar[0].step();
                    bar[0].setExtraMessage(String.format(Locale.ROOT, "loss %.4f", st.loss()));
                    if (st.step() == total) {
                        bar[0].close();
                        bar[0] = null;
                    }
                }

                @Override
                public void finished(DepthExperiment.Run r) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("intensity", r.intensity().cliName());
                    m.put("model", r.vibration() ? "v2" : "vision");
                    m.put("seed", r.seed());
                    m.put("abs_rel", r.depth().absRel());
                    m.put("sq_rel", r.depth().sqRel());
                    m.put("rmse", r.depth().rmse());
                    m.put("rmse_log", r.depth().rmseLog());
                    m.put("a1", r.depth().a1());
                    m.put("ate", r.trajectory().ate());
                    m.put("rpe_rot_deg", r.trajectory().rpeRotDeg());
                    m.put("train_s_per_epoch", r.trainSecondsPerEpoch());
                    m.put("final_loss", r.finalLoss());
                    log.write(m);
                    if (r.seed() == cfg.seeds().get(0)) {
                        var s = r.sample();
                        DepthPlots.triptych(dir.resolve(String.format("depth-%s-%s.png", r.intensity().cliName(), r.vibration() ? "v2" : "vision")),
                                String.format("%s, %s vibration, seed %d, test frame %d", r.vibration() ? "V2-SfMLearner" : "vision only",
                                        r.intensity().cliName(), r.seed(), s.sampleFrame()),
                                r.sampleSequence().rgb().get(s.sampleFrame()), s.sampleDepth(), r.sampleSequence().depth().get(s.sampleFrame()),
                                r.sampleSequence().width(), r.sampleSequence().height());
                    }
                }
            });
        } finally {
            pool.shutdown();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String what = String.format("%dx%d, %d epochs, %d seeds", cfg.width(), cfg.height(), cfg.epochs(), cfg.seeds().size());
        DepthPlots.errorVsIntensity(dir.resolve("absrel-vs-intensity.png"), "AbsRel vs vibration (" + what + ")", "AbsRel (median-scaled)", runs,
                r -> r.depth().absRel());
        DepthPlots.errorVsIntensity(dir.resolve("ate-vs-intensity.png"), "ATE vs vibration (" + what + ")", "ATE (cm, scale-aligned)", runs,
                r -> r.trajectory().ate());
        ObjectNode js = new ObjectMapper().createObjectNode();
        js.put("bench", "depth");
        js.put("quick", quick);
        o.printf("%-10s %-7s %10s %10s %10s %10s %8s%n", "intensity", "model", "AbsRel", "(sd)", "ATE cm", "(sd)", "d<1.25");
        for (VibrationIntensity vi : cfg.intensities()) {
            for (boolean vib : new boolean[] {false, true}) {
                String model = vib ? "v2" : "vision";
                List<DepthExperiment.Run> rs = runs.stream().filter(r -> r.intensity() == vi && r.vibration() == vib).toList();
                double[] a = DepthExperiment.meanSd(rs.stream().map(r -> r.depth().absRel()).toList());
                double[] t = DepthExperiment.meanSd(rs.stream().map(r -> r.trajectory().ate()).toList());
                double[] d1 = DepthExperiment.meanSd(rs.stream().map(r -> r.depth().a1()).toList());
                o.printf(Locale.ROOT, "%-10s %-7s %10.4f %10.4f %10.4f %10.4f %8.3f%n", vi.cliName(), model, a[0], a[1], t[0], t[1], d1[0]);
                js.put("absrel_" + model + "_" + vi.cliName(), a[0]);
                js.put("ate_" + model + "_" + vi.cliName(), t[0]);
                js.put("absrel_sd_" + model + "_" + vi.cliName(), a[1]);
                js.put("ate_sd_" + model + "_" + vi.cliName(), t[1]);
            }
            o.printf(Locale.ROOT, "%-10s %-7s %10.4f%n", vi.cliName(), "flat", flatAbsRel.get(vi));
            js.put("absrel_flat_" + vi.cliName(), flatAbsRel.get(vi));
        }
        for (boolean vib : new boolean[] {false, true})
            js.put("train_s_per_epoch_" + (vib ? "v2" : "vision"),
                    DepthExperiment.meanSd(runs.stream().filter(r -> r.vibration() == vib).map(DepthExperiment.Run::trainSecondsPerEpoch).toList())[0]);
        js.put("render_ms_per_frame", renderMs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        js.put("peak_rss_mb", BenchZoWorker.peakRssMb());
        js.put("width", cfg.width());
        js.put("height", cfg.height());
        js.put("threads", threads);
        js.put("wall_s", wall);
        o.printf(Locale.ROOT, "wall %.0f s; PNGs and metrics.jsonl in %s%n", wall, dir);
        o.println(js.toString());
        o.flush();
        json.append(js.toString());
        return 0;
    }
}
