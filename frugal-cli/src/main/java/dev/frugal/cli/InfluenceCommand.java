package dev.frugal.cli;

import dev.frugal.influence.InfluenceInputException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal influence}: SAM training with checkpoints and influence functions for SAM (arXiv 2507.04059). */
@Command(name = "influence", mixinStandardHelpOptions = true,
        description = "Influence functions for sharpness-aware minimisation: train, score, mislabel, loo.",
        subcommands = {InfluenceTrainCommand.class, InfluenceScoreCommand.class, InfluenceMislabelCommand.class,
                InfluenceLooCommand.class})
public final class InfluenceCommand implements Runnable, SettingFlags {
    /** Library parameters whose flag is not their kebab-case name (train, mislabel and loo share these options). */
    private static final java.util.Map<String, String> FLAGS = java.util.Map.of("maxSteps", "--steps", "method", "--methods");

    @Spec
    CommandSpec spec;

    @Override
    public java.util.Map<String, String> settingFlags() { return FLAGS; }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (train, score, mislabel, loo)");
    }

    /**
     * Runs {@code body}; typed influence input errors print one line and return 2. Invalid settings
     * ({@link dev.frugal.InvalidSettingException}) go on to frugal's error report, which names the flag; an
     * {@link IllegalArgumentException} is a bug and is not dressed up as a user error.
     */
    static int guarded(CommandSpec spec, Callable<Integer> body) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            FrugalCommand frugal = (FrugalCommand) spec.root().userObject();
            frugal.configureThreads();
            return body.call();
        } catch (InfluenceInputException e) {
            err.println("frugal: " + String.valueOf(e.getMessage()).replace('\n', ' '));
            err.flush();
            return Main.EXIT_USAGE;
        }
    }

    /** A progress bar on stderr, or one that draws nothing with {@code --no-progress} (so callers need no null checks). */
    static ProgressBar bar(String task, long max, ProgressOption progress) {
        if (progress.shown()) return Progress.onStderr(task, max);
        return new me.tongfei.progressbar.ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(line -> { })).build();
    }
}
