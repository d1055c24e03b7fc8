package dev.frugal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal dp}: differentially private training. */
@Command(name = "dp", mixinStandardHelpOptions = true, description = "Differentially private training (FlashDP).",
        subcommands = {DpTrainCommand.class})
public final class DpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Runs {@code frugal dp ...} on its own (before the lead registers it under {@code frugal}). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new DpCommand()).execute(args));
    }

    @Override
    public void run() { throw new ParameterException(spec.commandLine(), "Missing required subcommand (train)"); }
}
