package dev.frugal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code frugal fewshot}: cross-domain few-shot learning (IDP, arXiv 2511.14279). */
@Command(name = "fewshot", mixinStandardHelpOptions = true,
        description = "Cross-domain few-shot learning: source pretraining, then ProtoNet, fine-tuning, FRN and IDP on seeded episodes.",
        subcommands = {FewshotPretrainCommand.class, FewshotEvalCommand.class})
public final class FewshotCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() { throw new ParameterException(spec.commandLine(), "Missing required subcommand (pretrain or eval)"); }
}
