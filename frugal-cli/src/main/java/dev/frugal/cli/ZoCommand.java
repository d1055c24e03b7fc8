package dev.frugal.cli;

import picocli.CommandLine.Command;

/** {@code frugal zo}: zeroth-order fine-tuning (MeZO / ZO2). */
@Command(name = "zo", description = "Zeroth-order fine-tuning with ZO2's block streaming and offloading.",
        subcommands = {ZoTrainCommand.class})
public final class ZoCommand {
}
