package dev.frugal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal rl}: GRPO with Infinite Sampling on frugal's own task family. */
@Command(name = "rl", mixinStandardHelpOptions = true,
        description = "GRPO with memory-bounded group sampling (Infinite Sampling).",
        subcommands = {RlPretrainCommand.class, RlTrainCommand.class})
public final class RlCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() { throw new ParameterException(spec.commandLine(), "Missing required subcommand (pretrain, train)"); }
}
