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

    @Option(names = "--json", paramLabel = "FILE", description = "append one JSON object of the figures")
    Path json;

    @Option(names = "--png", paramLabel = "FILE", defaultValue = "influence-mislabel.png",
            description = "fraction found vs fraction inspected (default: ${DEFAULT-VALUE})")
    Path png;

    @Override
    public Integer call() throws Exception {
        return InfluenceCommand.guarded(spec, () -> {
            PrintWriter o = spec.commandLine().getOut();
            Split split;
            try (ProgressBar bar = InfluenceCommand.bar("load " + data.data, 1, progress)) {
                split = data.ref().load(bar::stepTo);
            }
            MislabelConfig cfg = new MislabelConfig(training.kind(), training.hiddenUnits(),
                    training.config(data.seed).withCheckpointEvery(0), training.checkpointEvery, flip,
                    solving.solver(), solving.damping, InfluenceOptions.methods(methods), data.seed, maxGradNorm,
                    force);
            long t0 = System.nanoTime();
            MislabelResult r;
            try (ProgressBar bar = InfluenceCommand.bar("methods", cfg.methods().size(), progress)) {
                r = Mislabel.run(split.train(), split.test(), cfg, (phase, k) -> {
                    if (phase.equals("methods")) bar.stepTo(k);
                });
            }
            o.printf(Locale.ROOT, "mislabel on %s (%s, N %d, %d flipped, ρ %s): noisy test acc %.4f, clean %.4f,"
                            + " ‖G(θ*)‖ %.2g, %.0f s%n", split.train().name(), training.kind().cliName(),
                    split.train().size(), r.flipped(), training.rho, r.noisyAccuracy(), r.cleanAccuracy(),
                    r.gradNorm(), (System.nanoTime() - t0) / 1e9);
            o.printf(Locale.ROOT, "%-8s %7s %8s %8s %12s %14s %10s%n", "method", "auc", "top10%", "top20%",
                    "acc removed", "acc relabelled", "ms/example");
            Map<String, Object> js = new LinkedHashMap<>();
            js.put("data", split.train().name());
            js.put("noisy_accuracy", r.noisyAccuracy());
            js.put("clean_accuracy", r.cleanAccuracy());
            for (Method m : cfg.methods()) {
                o.printf(Locale.ROOT, "%-8s %7.4f %8.4f %8.4f %12.4f %14.4f %10.3f%n", m.cliName(), r.auc().get(m),
                        r.foundTop10().get(m), r.foundTop20().get(m), r.accRemoved().get(m),
                        r.accRelabelled().get(m), r.msPerExample().get(m));
                js.put("auc_" + m.key(), r.auc().get(m));
                js.put("top10_" + m.key(), r.foundTop10().get(m));
                js.put("top20_" + m.key(), r.foundTop20().get(m));
                js.put("acc_removed_" + m.key(), r.accRemoved().get(m));
                js.put("acc_relabelled_" + m.key(), r.accRelabelled().get(m));
            }
            InfluencePlots.curves(png, String.format(Locale.ROOT, "Mislabel detection on %s (%s, %d of %d labels"
                    + " flipped, SAM ρ %s)", split.train().name(), training.kind().cliName(), r.flipped(),
                    split.train().size(), training.rho), r.curve());
            o.printf("curves → %s%n", png);
            if (json != null) {
                Files.writeString(json, new ObjectMapper().writeValueAsString(js) + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return 0;
        });
    }
}
