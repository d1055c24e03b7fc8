package dev.frugal.cli;

import dev.frugal.data.FrugalHome;
import dev.frugal.rl.task.SamplingBenchShape;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal bench grpo-sampling}: the four samplers on the same prompts, policy and seeds, each in a process of
 * its own ({@link BenchGrpoWorker}); a table, then one JSON line with the ratios Infinite Sampling reports.
 */
@Command(name = "grpo-sampling", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Peak memory, KV bytes, throughput and decode steps of full | micro | continuous | infinite GRPO"
                + " sampling on the task-family model, and whether all four give the same completions.")
public final class BenchGrpoSamplingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "2 prompts x G=32 (default: 8 prompts x G=32).")
    boolean quick;

    @picocli.CommandLine.Mixin
    JsonLinesOption json;

    @Option(names = "--model", paramLabel = "DIR",
            description = "A 'frugal rl pretrain' model (default $FRUGAL_HOME/models/rl-tiny).")
    Path model;

    @Option(names = "--num-generations", paramLabel = "G", description = "Completions per prompt (default 32).")
    int g = BenchGrpoRunner.DEFAULT_G;

    @Option(names = "--micro-group-size", paramLabel = "g", description = "Decode slots of micro/continuous/infinite (default 8).")
    int micro = BenchGrpoRunner.DEFAULT_MICRO;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of prompts and samplers (default 1).")
    long seed = BenchGrpoRunner.DEFAULT_SEED;

    @Option(names = "--shape", paramLabel = "S", defaultValue = "kv-heavy", converter = ShapeConverter.class,
            description = "kv-heavy (default: a wider Llama with random weights, 8 layers, C=256, 8 KV heads, F=256,"
                    + " replaying the trained model's completion lengths, so that KV memory matters) | trained (the"
                    + " task-family model itself) | qwen3-1.7b (the GPU setting: Qwen3-1.7B's shapes, random weights,"
                    + " replayed lengths; needs --device cuda).")
    SamplingBenchShape shape = SamplingBenchShape.KV_HEAVY;

    static final class ShapeConverter implements picocli.CommandLine.ITypeConverter<SamplingBenchShape> {
        @Override
        public SamplingBenchShape convert(String v) {
            for (SamplingBenchShape s : SamplingBenchShape.values())
                if (s.optionName().equals(v.trim().toLowerCase(Locale.ROOT))) return s;
            throw new picocli.CommandLine.TypeConversionException("'" + v + "' is not one of " + java.util.Arrays.stream(
                    SamplingBenchShape.values()).map(SamplingBenchShape::optionName).collect(
                    java.util.stream.Collectors.joining(", ")));
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (micro < 1 || micro > g) throw new ParameterException(spec.commandLine(), "--micro-group-size " + micro
                + " must be in [1, --num-generations " + g + "]");
        Device device = spec.root().userObject() instanceof FrugalCommand f ? f.device() : Device.CPU;
        if (shape == SamplingBenchShape.QWEN3_1_7B && !device.isCuda())
            throw new dev.frugal.UserInputException("--shape qwen3-1.7b is the GPU setting (1.7 B parameters):"
                    + " run it with --device cuda (on this CPU it would take hours); kv-heavy is the CPU setting");
        Path dir = model != null ? model : FrugalHome.root().resolve("models").resolve("rl-tiny");
        if (!Files.isRegularFile(dir.resolve("config.json")))
            throw new dev.frugal.UserInputException("no model at " + dir + ": run 'frugal rl pretrain --out " + dir
                    + "' first, or give --model DIR");
        int threads = spec.root().userObject() instanceof FrugalCommand f ? f.configureThreads() : 1;
        return new BenchGrpoRunner(dir, BenchGrpoRunner.prompts(quick), g, micro, seed, shape, device, threads, json::append)
                .run(spec.commandLine().getOut());
    }
}
