package dev.frugal.cli;

import dev.frugal.spark.DistZoBench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code frugal bench dist-zo [--quick] [--json FILE] [--work DIR]} (a standalone picocli command). */
@Command(name = "dist-zo", mixinStandardHelpOptions = true,
        description = "DistZO2 steps/s on a Spark standalone cluster on loopback: single worker, DDP and PertP on 2.")
public final class DistZoBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A tiny model and 8 steps (seconds instead of minutes).")
    boolean quick;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--work", paramLabel = "DIR", description = "Model, checkpoints and cluster files (default: a temp dir).")
    Path work;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = work != null ? work : Files.createTempDirectory("frugal-dist-zo-bench");
        String line = DistZoBench.run(quick ? DistZoBench.QUICK : DistZoBench.SMALL, dir,
                System.getProperty("java.class.path"), out);
        json.append(line);
        return 0;
    }
}
