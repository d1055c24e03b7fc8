package dev.frugal.cli;

import dev.frugal.data.FrugalHome;
import dev.frugal.interp.AcdcBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code frugal bench acdc [--quick] [--size small|gpt2-small] [--repeats N] [--json FILE]}: reference ACDC (fp32,
 * full recompute, one edge per forward) against PAHQ with the exact accelerations, each in a fresh JVM; the last line
 * printed is the summary JSON object. Meant to be registered under the {@code bench} command.
 */
@Command(name = "acdc", mixinStandardHelpOptions = true,
        description = "Benchmark ACDC (fp32) against PAHQ on the induction model; each variant in a fresh process.")
public final class AcdcBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "A batch of 16 instead of 64.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary JSON line here.")
    Path json;

    @Option(names = "--size", paramLabel = "S", defaultValue = "small",
            description = "small (default: the trained 2-layer d = 256 induction model, every edge tested) or gpt2-small"
                    + " (a random GPT-2-small-shaped model, d = 768, 12 heads, 6 blocks, the first 600 edge tests).")
    String size;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "1",
            description = "Run the three variants N times in turn (default 1) and report each one's median time and"
                    + " peak RSS.")
    int repeats;

    @Override
    public Integer call() throws Exception {
        int n = ((FrugalCommand) spec.root().userObject()).configureThreads(); // --threads: per child process
        // refuses an unknown size or repeats < 1 before anything runs
        AcdcBench.run(quick, size, n, repeats, FrugalHome.root().resolve("models").resolve("interp"), json,
                spec.commandLine().getOut());
        return 0;
    }
}
