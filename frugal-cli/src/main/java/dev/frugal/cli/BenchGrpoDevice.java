package dev.frugal.cli;

import dev.frugal.rl.task.SamplingBenchShape;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Threads;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code frugal --device DEVICE bench grpo-sampling} without the CLI's jars, for the GPU pack ({@code scripts/gpu-pack.sh
 * --grpo}, {@code scripts/gpu-grpo-bench.sh}): {@code BenchGrpoDevice DEVICE --model DIR [--shape S] [--quick]
 * [--threads N] [--json FILE]}.
 */
public final class BenchGrpoDevice {
    private BenchGrpoDevice() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("usage: BenchGrpoDevice DEVICE --model DIR [--shape S]"
                + " [--quick] [--threads N] [--json FILE]");
        Device device = Device.parse(args[0]);
        dev.frugal.tensor.Backend.requireDevice(device);
        Path model = null, json = null;
        SamplingBenchShape shape = SamplingBenchShape.QWEN3_1_7B;
        boolean quick = false;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--shape" -> {
                    String v = args[++i];
                    shape = java.util.Arrays.stream(SamplingBenchShape.values()).filter(x -> x.optionName().equals(v))
                            .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown --shape " + v));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (model == null) throw new IllegalArgumentException("--model DIR (a 'frugal rl pretrain' model) is required");
        Threads.configure(threads);
        Path jsonFile = json;
        PrintWriter o = new PrintWriter(System.out, true);
        int rc = new BenchGrpoRunner(model, BenchGrpoRunner.prompts(quick), BenchGrpoRunner.DEFAULT_G,
                BenchGrpoRunner.DEFAULT_MICRO, BenchGrpoRunner.DEFAULT_SEED, shape, device, threads,
                line -> { if (jsonFile != null) JsonLinesOption.append(jsonFile, List.of(line)); }).run(o);
        o.flush();
        System.exit(rc);
    }
}
