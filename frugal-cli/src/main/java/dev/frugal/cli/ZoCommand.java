package dev.frugal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal zo}: zeroth-order fine-tuning (MeZO / ZO2). */
@Command(name = "zo", mixinStandardHelpOptions = true,
        description = "Zeroth-order fine-tuning with ZO2's block streaming and offloading.",
        subcommands = {ZoTrainCommand.class})
public final class ZoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() { throw new ParameterException(spec.commandLine(), "Missing required subcommand (train)"); }
}
