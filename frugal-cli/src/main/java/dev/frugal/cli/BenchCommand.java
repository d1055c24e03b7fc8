package dev.frugal.cli;

import picocli.CommandLine.Command;

/**
 * {@code frugal bench NAME [--quick] [--json FILE]}: benchmarks that run each mode in a fresh process, print a table
 * and end with one JSON line {@code {"bench": NAME, ...}}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Side-by-side benchmarks (each mode in a fresh process).",
        subcommands = {BenchZoCommand.class, DpBenchCommand.class, AcdcBenchCommand.class, DistZoBenchCommand.class,
                BenchFewshotCommand.class, DepthBenchCommand.class, BenchGrpoSamplingCommand.class, InfluenceBenchCommand.class})
public final class BenchCommand {
}
