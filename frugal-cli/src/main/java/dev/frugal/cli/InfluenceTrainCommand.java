package dev.frugal.cli;

import dev.frugal.influence.data.Split;
import dev.frugal.influence.experiment.LeaveOneOut;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.influence.sam.TrajectoryStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frugal influence train}: SAM training with trajectory checkpoints, saved atomically to {@code --out}. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model with SAM, saving θ* and the trajectory checkpoints.")
public final class InfluenceTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ProgressOption progress;

    @Mixin
    InfluenceOptions.Data data;
    @Mixin
    InfluenceOptions.Training training;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where model.safetensors and the"
            + " checkpoints go")
    Path out;

    @Override
    public Integer call() throws Exception {
        return InfluenceCommand.guarded(spec, () -> {
            PrintWriter o = spec.commandLine().getOut();
            Split split = data.ref().load(null);
            TrainConfig cfg = training.config(data.seed);
            FlatModel model = new ModelSpec(training.kind(), split.train().features(), training.hiddenUnits(),
                    split.train().classes()).build();
            long t0 = System.nanoTime();
            TrainedModel tm;
            try (ProgressBar bar = InfluenceCommand.bar("SAM training", cfg.maxSteps(), progress)) {
                tm = SamTrainer.train(model, split.train(), cfg, null, out, bar::stepTo);
            }
            TrajectoryStore.save(out, tm, data.ref().metadata());
            o.printf(Locale.ROOT, "trained %s on %s: %d train / %d test, %d parameters, ρ %s%s, %d steps in %.1f s,"
                            + " ‖G(θ*) + λθ*‖ %.3g%s%n", training.kind().cliName(), split.train().name(),
                    split.train().size(), split.test().size(), model.numParams(), cfg.sam().rho(),
                    cfg.sam().adaptive() ? " (adaptive)" : "", tm.steps(), (System.nanoTime() - t0) / 1e9,
                    tm.gradNorm(), tm.gradNorm() <= cfg.tolerance() ? " (converged)" : " (NOT converged: raise --steps)");
            o.printf(Locale.ROOT, "test accuracy %.4f; %d checkpoints in %s%n",
                    LeaveOneOut.accuracy(model, tm.theta(), split.test()), tm.trajectory().size(), out);
            return 0;
        });
    }
}
