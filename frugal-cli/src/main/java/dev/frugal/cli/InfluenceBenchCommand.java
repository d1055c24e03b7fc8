package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.influence.experiment.InfluenceBench;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frugal bench influence [--quick] [--json FILE]}: leave-one-out, LDS and mislabel figures of every method. */
@Command(name = "influence", mixinStandardHelpOptions = true,
        description = "SAM influence functions: LOO/LDS on digits (N 500, 100 removals, 50 LDS subsets), mislabel AUC"
                + " on Fashion-MNIST (N 400, MLP 4 hidden) and SpamAssassin (N 1000).")
public final class InfluenceBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "smaller sets (digits N 300, 40 removals, 10 LDS subsets; fmnist 200 (MLP 4 hidden); spam 300)")
    boolean quick;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Override
    public Integer call() throws Exception {
        return InfluenceCommand.guarded(spec, () -> {
            PrintWriter o = spec.commandLine().getOut();
            long t0 = System.nanoTime();
            InfluenceBench.Report r = InfluenceBench.run(quick, (phase, k) -> {
                if (k % 10 == 0 || phase.equals("train") || phase.equals("methods")) {
                    System.err.printf(Locale.ROOT, "[bench influence] %s %d (%.0f s)%n", phase, k,
                            (System.nanoTime() - t0) / 1e9);
                }
            });
            r.figures().put("wall_s", (System.nanoTime() - t0) / 1e9);
            for (String line : r.table()) o.println(line);
            String js = new ObjectMapper().writeValueAsString(r.figures());
            o.println(js);
            json.append(js);
            return 0;
        });
    }
}
