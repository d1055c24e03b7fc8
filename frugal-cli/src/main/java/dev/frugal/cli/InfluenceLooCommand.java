package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.influence.data.Split;
import dev.frugal.influence.experiment.LeaveOneOut;
import dev.frugal.influence.experiment.LooConfig;
import dev.frugal.influence.experiment.LooResult;
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

/**
 * {@code frugal influence loo --data digits|FILE.csv [--label COLUMN] [--json FILE]}: retrain without each of N
 * training examples and compare with every method's prediction (Pearson, Spearman, a scatter PNG), plus LDS.
 */
@Command(name = "loo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Leave-one-out and LDS check of every influence method against retraining.")
public final class InfluenceLooCommand implements Callable<Integer> {
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

    @Option(names = "--removals", defaultValue = "100", description = "examples left out one at a time (default: ${DEFAULT-VALUE})")
    int removals;

    @Option(names = "--lds-subsets", defaultValue = "50", description = "random subsets for LDS, 0: skip (default: ${DEFAULT-VALUE})")
    int ldsSubsets;

    @Option(names = "--methods", defaultValue = "all", description = "comma-separated methods (default: ${DEFAULT-VALUE})")
    String methods;

    @Option(names = "--json", paramLabel = "FILE", description = "append one JSON object with spearman_<m>, pearson_<m>")
    Path json;

    @Option(names = "--png", paramLabel = "FILE", defaultValue = "influence-loo.png", description = "scatter of"
            + " predicted vs actual (default: ${DEFAULT-VALUE})")
    Path png;

    @Override
    public Integer call() throws Exception {
        return InfluenceCommand.guarded(spec, () -> {
            PrintWriter o = spec.commandLine().getOut();
            Split split = data.ref().load(null);
            LooConfig cfg = new LooConfig(training.kind(), training.hiddenUnits(), removals, ldsSubsets, 0.5, 50,
                    training.config(data.seed).withCheckpointEvery(0), training.checkpointEvery, solving.solver(),
                    solving.damping, InfluenceOptions.methods(methods), data.seed);
            long t0 = System.nanoTime();
            LooResult r;
            try (ProgressBar bar = InfluenceCommand.bar("retrain", removals + ldsSubsets, progress)) {
                r = LeaveOneOut.run(split, cfg, (phase, k) -> bar.stepTo(phase.equals("lds") ? removals + k : k));
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            o.printf(Locale.ROOT, "leave-one-out on %s (%s, N %d, %d removals, %d LDS subsets, ρ %s): test acc %.4f,"
                            + " ‖G(θ*)‖ %.2g, worst retrain ‖G‖ %.2g, %.0f s%n", split.train().name(),
                    training.kind().cliName(), split.train().size(), removals, ldsSubsets, training.rho,
                    r.testAccuracy(), r.gradNorm(), r.maxRetrainGradNorm(), wall);
            o.printf(Locale.ROOT, "%-8s %9s %9s %8s %10s %8s%n", "method", "pearson", "spearman", "lds", "ms/example",
                    "rss MB");
            Map<String, Object> js = new LinkedHashMap<>();
            js.put("data", split.train().name());
            for (Method m : cfg.methods()) {
                o.printf(Locale.ROOT, "%-8s %9.4f %9.4f %8.4f %10.3f %8.0f%n", m.cliName(), r.pearson().get(m),
                        r.spearman().get(m), r.lds().get(m), r.msPerExample().get(m), r.peakRssMb().get(m));
                js.put("spearman_" + m.key(), r.spearman().get(m));
                js.put("pearson_" + m.key(), r.pearson().get(m));
                js.put("lds_" + m.key(), r.lds().get(m));
            }
            InfluencePlots.scatter(png, String.format(Locale.ROOT, "Leave-one-out on %s (%s, N %d, %d removals,"
                            + " SAM ρ %s)", split.train().name(), training.kind().cliName(), split.train().size(),
                    removals, training.rho), r.actual(), r.predicted());
            o.printf("scatter → %s%n", png);
            if (json != null) {
                Files.writeString(json, new ObjectMapper().writeValueAsString(js) + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return 0;
        });
    }
}
