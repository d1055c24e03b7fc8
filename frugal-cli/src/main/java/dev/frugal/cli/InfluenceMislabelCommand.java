package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.influence.data.Split;
import dev.frugal.influence.experiment.Mislabel;
import dev.frugal.influence.experiment.MislabelConfig;
import dev.frugal.influence.experiment.MislabelResult;
import dev.frugal.influence.method.Method;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frugal influence mislabel}: flip labels, train with SAM, find the flips by self-influence. */
@Command(name = "mislabel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mislabel detection by self-influence: AUC, fraction found, accuracy after fixing.")
public final class InfluenceMislabelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ProgressOption progress;

    @Mixin
    InfluenceOptions.Data data;
    @Mixin
    InfluenceOptions.Training training;
    @Mixin
    InfluenceOptions.Solving solving;

    @Option(names = "--flip", defaultValue = "0.1", description = "fraction of labels flipped (default: ${DEFAULT-VALUE})")
    double flip;

    @Option(names = "--methods", defaultValue = "all", description = "comma-separated methods (default: ${DEFAULT-VALUE})")
    String methods;

    @Option(names = "--max-grad-norm", defaultValue = "1e-4", description = "the Hessian methods refuse a noisy model"
            + " with ‖G(θ*) + λθ*‖ above this (default: ${DEFAULT-VALUE})")
    double maxGradNorm;

    @Option(names = "--force", description = "score a model that has not converged with the Hessian methods anyway")
    boolean force;

    @Option(names = "--repeats", defaultValue = "1", paramLabel = "K", description = "run the experiment for K seeds"
            + " (--seed, --seed + 1, …: another split, flip and initialisation each) and report each method's mean AUC,"
            + " its standard error and how often it beat IF and TracIn (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--json", paramLabel = "FILE", description = "append one JSON object of the figures")
    Path json;

    @Option(names = "--png", paramLabel = "FILE", defaultValue = "influence-mislabel.png",
            description = "fraction found vs fraction inspected (default: ${DEFAULT-VALUE})")
    Path png;

    @Override
    public Integer call() throws Exception {
        return InfluenceCommand.guarded(spec, () -> {
            if (repeats < 1) throw new dev.frugal.InvalidSettingException("--repeats", "must be >= 1, got " + repeats);
            List<Method> chosen = InfluenceOptions.methods(methods); // validated before anything loads
            PrintWriter o = spec.commandLine().getOut();
            Map<Method, double[]> aucs = new LinkedHashMap<>();
            for (Method m : chosen) aucs.put(m, new double[repeats]);
            long[] seeds = new long[repeats];
            Map<String, Object> js = new LinkedHashMap<>();
            String name = null;
            for (int k = 0; k < repeats; k++) {
                seeds[k] = data.seed + k;
                Split split;
                try (ProgressBar bar = InfluenceCommand.bar("load " + data.data, 1, progress)) {
                    split = data.ref(seeds[k]).load(bar::stepTo);
                }
                MislabelConfig cfg = new MislabelConfig(training.kind(), training.hiddenUnits(),
                        training.config(seeds[k]).withCheckpointEvery(0), training.checkpointEvery, flip,
                        solving.solver(), solving.damping, chosen, seeds[k], maxGradNorm, force);
                long t0 = System.nanoTime();
                MislabelResult r;
                try (ProgressBar bar = InfluenceCommand.bar("methods", cfg.methods().size(), progress)) {
                    r = Mislabel.run(split.train(), split.test(), cfg, (phase, i) -> {
                        if (phase.equals("methods")) bar.stepTo(i);
                    });
                }
                name = split.train().name();
                o.printf(Locale.ROOT, "mislabel on %s (%s, N %d, %d flipped, ρ %s, seed %d): noisy test acc %.4f,"
                                + " clean %.4f, ‖G(θ*)‖ %.2g, %.0f s%n", name, training.kind().cliName(),
                        split.train().size(), r.flipped(), training.rho, seeds[k], r.noisyAccuracy(),
                        r.cleanAccuracy(), r.gradNorm(), (System.nanoTime() - t0) / 1e9);
                o.printf(Locale.ROOT, "%-8s %7s %8s %8s %12s %14s %10s%n", "method", "auc", "top10%", "top20%",
                        "acc removed", "acc relabelled", "ms/example");
                for (Method m : cfg.methods()) {
                    o.printf(Locale.ROOT, "%-8s %7.4f %8.4f %8.4f %12.4f %14.4f %10.3f%n", m.cliName(), r.auc().get(m),
                            r.foundTop10().get(m), r.foundTop20().get(m), r.accRemoved().get(m),
                            r.accRelabelled().get(m), r.msPerExample().get(m));
                    aucs.get(m)[k] = r.auc().get(m);
                }
                if (repeats == 1) {
                    js.put("data", name);
                    js.put("noisy_accuracy", r.noisyAccuracy());
                    js.put("clean_accuracy", r.cleanAccuracy());
                    for (Method m : cfg.methods()) {
                        js.put("auc_" + m.key(), r.auc().get(m));
                        js.put("top10_" + m.key(), r.foundTop10().get(m));
                        js.put("top20_" + m.key(), r.foundTop20().get(m));
                        js.put("acc_removed_" + m.key(), r.accRemoved().get(m));
                        js.put("acc_relabelled_" + m.key(), r.accRelabelled().get(m));
                    }
                    InfluencePlots.curves(png, String.format(Locale.ROOT, "Mislabel detection on %s (%s, %d of %d"
                                    + " labels flipped, SAM ρ %s)", name, training.kind().cliName(), r.flipped(),
                            split.train().size(), training.rho), r.curve());
                }
            }
            if (repeats > 1) {
                js.put("data", name);
                js.put("seeds", seeds);
                o.printf(Locale.ROOT, "over %d seeds (%d–%d):%n%-8s %9s %8s %8s %8s %10s %14s%n", repeats, seeds[0],
                        seeds[repeats - 1], "method", "mean auc", "SE", "min", "max", "beats IF", "beats TracIn");
                for (Method m : chosen) {
                    double[] a = aucs.get(m);
                    MislabelSummary sum = MislabelSummary.of(a);
                    String vsIf = wins(a, aucs.get(Method.IF)), vsTracin = wins(a, aucs.get(Method.TRACIN));
                    o.printf(Locale.ROOT, "%-8s %9.4f %8.4f %8.4f %8.4f %10s %14s%n", m.cliName(), sum.mean(), sum.se(),
                            sum.min(), sum.max(), vsIf, vsTracin);
                    js.put("auc_" + m.key(), sum.mean());
                    js.put("auc_" + m.key() + "_se", sum.se());
                    js.put("auc_" + m.key() + "_per_seed", a);
                }
                InfluencePlots.aucPerSeed(png, String.format(Locale.ROOT, "Mislabel detection AUC on %s per seed (%s,"
                        + " %.0f %% flipped, SAM ρ %s, N %d)", name, training.kind().cliName(), flip * 100,
                        training.rho, data.trainSize), seeds, aucs);
            }
            o.printf("%s → %s%n", repeats == 1 ? "curves" : "AUC per seed", png);
            if (json != null) {
                Files.writeString(json, new ObjectMapper().writeValueAsString(js) + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return 0;
        });
    }

    /** "w/K": seeds where {@code a} is strictly above {@code b} ("–" when b was not run or is a itself). */
    private static String wins(double[] a, double[] b) {
        if (b == null || b == a) return "–";
        int w = 0;
        for (int i = 0; i < a.length; i++) if (a[i] > b[i]) w++;
        return w + "/" + a.length;
    }

    /** Mean, standard error of the mean, min and max of one method's AUCs over the seeds. */
    record MislabelSummary(double mean, double se, double min, double max) {
        static MislabelSummary of(double[] a) {
            java.util.DoubleSummaryStatistics st = java.util.Arrays.stream(a).summaryStatistics();
            double mean = st.getAverage(), ss = java.util.Arrays.stream(a).map(v -> (v - mean) * (v - mean)).sum();
            double se = a.length > 1 ? Math.sqrt(ss / (a.length - 1) / a.length) : Double.NaN;
            return new MislabelSummary(mean, se, st.getMin(), st.getMax());
        }
    }
}
