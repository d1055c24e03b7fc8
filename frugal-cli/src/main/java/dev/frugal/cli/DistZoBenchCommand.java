package dev.frugal.cli;

import dev.frugal.spark.DistZoBench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code frugal bench dist-zo [--quick | --size S] [--rng R] [--repeats N] [--json FILE] [--work DIR]} (a standalone
 * picocli command).
 */
@Command(name = "dist-zo", mixinStandardHelpOptions = true,
        description = "DistZO2 steps/s on a Spark standalone cluster on loopback: single worker, DDP and PertP on 2,"
                + " DDP and 2D on 4, with where each step's time goes.")
public final class DistZoBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Same as --size quick: a tiny model and 8 steps (seconds per mode).")
    boolean quick;

    @Option(names = "--size", paramLabel = "SIZE", description = "quick, small (default: h 256, 4 blocks, 5.3M"
            + " parameters, 16 steps) or large (h 512, 6 blocks, 27M parameters: seconds per single-worker step).")
    String size;

    @Option(names = "--rng", paramLabel = "mezo|parallel", description = "The workers' z stream: mezo (MeZO's,"
            + " the default, as zo train --spark-master's) or parallel (counter-based, drawn half as often per step).")
    dev.frugal.zo.ZoRng rng = dev.frugal.zo.ZoRng.MEZO;

    @Option(names = "--repeats", paramLabel = "N", description = "Run the five modes N times in turn (default 1) and"
            + " report each mode's median steps/s, the speedups of the medians and every run's own speedups: on a"
            + " shared VM one run's speedup moves by about ±0.1.")
    int repeats = 1;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--work", paramLabel = "DIR", description = "Model, checkpoints and cluster files, kept (default: a temporary directory, deleted after).")
    Path work;

    @Override
    public Integer call() throws Exception {
        if (quick && size != null && !size.equals("quick"))
            throw new dev.frugal.InvalidSettingException("--quick", "and --size " + size + " choose different models: pass one");
        DistZoBench.Shape shape = DistZoBench.named(quick ? "quick" : size == null ? "small" : size);
        PrintWriter out = spec.commandLine().getOut();
        json.append(DistZoBench.run(shape, rng, repeats, work, System.getProperty("java.class.path"), out));
        return 0;
    }
}
