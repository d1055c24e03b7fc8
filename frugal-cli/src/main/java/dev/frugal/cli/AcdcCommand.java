package dev.frugal.cli;

import dev.frugal.UserInputException;
import dev.frugal.data.FrugalHome;
import dev.frugal.interp.AcdcRun;
import dev.frugal.interp.AcdcSettings;
import dev.frugal.interp.Circuit;
import dev.frugal.interp.CircuitReport;
import dev.frugal.interp.CircuitTask;
import dev.frugal.interp.ModelZoo;
import dev.frugal.interp.PatchedForward;
import dev.frugal.interp.PlantedModel;
import dev.frugal.interp.Precision;
import dev.frugal.interp.TaskBatch;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code frugal acdc}: automatic circuit discovery (ACDC) on a decoder (GPT-2, pre-LN OPT, Llama, Qwen3), in float32
 * or with PAHQ's per-head mixed precision, writing the circuit as JSON, DOT/PNG and an edge table.
 */
@Command(name = "acdc", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Find the circuit of a task with ACDC (fp32) or PAHQ (int8 elsewhere, fp32 for the investigated head).")
public final class AcdcCommand implements Callable<Integer> {
    private static final java.util.Set<String> BUILT_INS = java.util.Set.of("induction-2l", "induction-2l-wide", "planted",
            "permuted-gpt");

    @ParentCommand
    FrugalCommand frugal;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|NAME", required = true,
            description = "A Hugging Face decoder directory (GPT-2, pre-LN OPT, Llama, Qwen3), or a built-in: "
                    + "induction-2l, induction-2l-wide (the bench's), planted, permuted-gpt "
                    + "(trained on first use and cached under $FRUGAL_HOME/models/interp).")
    String model;

    @Option(names = "--task", paramLabel = "TASK",
            description = "induction, planted or permuted-previous (default: the built-in model's own task; induction for a directory).")
    String task;

    @Option(names = "--threshold", paramLabel = "TAU", required = true,
            description = "τ: an edge is removed when removing it raises the metric by less than τ.")
    double threshold;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32", converter = PrecisionConverter.class,
            description = "fp32 (ACDC), pahq (int8 elsewhere) or bf16 (bf16-stored elsewhere). Default ${DEFAULT-VALUE}.")
    Precision precision;

    @Option(names = "--metric", paramLabel = "M", defaultValue = "kl", converter = MetricConverter.class,
            description = "kl (to the clean run) or loss (task cross-entropy).")
    AcdcRun.MetricKind metric;

    @Option(names = "--ablation", paramLabel = "A", defaultValue = "corrupted", converter = AblationConverter.class,
            description = "corrupted or zero.")
    AcdcSettings.Ablation ablation;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Sequences in the ACDC batch.")
    int batch;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the task batch.")
    long seed;

    @Option(names = "--edges-per-forward", paramLabel = "K", defaultValue = "8",
            description = "Edges tested per forward along the batch (exact; 1 = plain ACDC).")
    int edgesPerForward;

    @Option(names = "--full-recompute", description = "Recompute every block in each test instead of reusing the clean cache.")
    boolean fullRecompute;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where circuit.json, circuit.dot, circuit.png and edges.txt go.")
    Path out;

    @Override
    public Integer call() {
        if (batch < 1) throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        if (edgesPerForward < 1) throw new ParameterException(spec.commandLine(), "--edges-per-forward must be at least 1");
        Precision p = precision;
        AcdcSettings.Ablation abl = ablation;
        AcdcRun.MetricKind mk = metric;
        AcdcSettings settings = new AcdcSettings(threshold, abl, p, !fullRecompute, edgesPerForward); // refusals name the flag
        FrugalCommand.configureThreads(spec);
        Device device = frugal != null ? frugal.device() : Device.CPU; // the global --device, as zo train takes it
        Path zoo = FrugalHome.root().resolve("models").resolve("interp");
        PrintWriter w = spec.commandLine().getOut();
        // PAHQ on the CPU over a model directory loads it without its blocks: they are read from the checkpoint while
        // a block runs in float32 and are otherwise held in low precision only, so the float32 model is never resident
        boolean streamed = p != Precision.FP32 && device.equals(Device.CPU) && !BUILT_INS.contains(model);
        try (Models.Streamed st = streamed ? loadStreamed() : null; CausalLM loaded = streamed ? null : loadModel(zoo, device)) {
            CausalLM m = streamed ? st.model() : loaded;
            CircuitTask t = task(m);
            try (TaskBatch cpu = t.batch(Rng.seeded("acdc-batch", seed), batch); TaskBatch b = cpu.to(device);
                 AcdcRun run = streamed ? new AcdcRun(st, b, mk, p, abl) : new AcdcRun(m, b, mk, p, abl)) {
                int total = run.graph().edges().size();
                Circuit c;
                try (ProgressBar bar = Progress.bar("ACDC " + p.name().toLowerCase(java.util.Locale.ROOT), total, "edges")) {
                    c = run.run(settings, bar::stepBy);
                }
                Path png = CircuitReport.write(out, c, model, t.name(), total);
                w.printf("%d of %d edges kept at τ=%s (%s, %s metric): clean %.5f, circuit %.5f; %d forwards in %.2f s%n",
                        c.edges().size(), total, threshold, p.name().toLowerCase(java.util.Locale.ROOT), c.metric(),
                        c.cleanMetric(), c.circuitMetric(), c.forwards(), c.seconds());
                w.print(CircuitReport.table(c));
                w.println("wrote " + out.resolve("circuit.json") + (png != null ? ", " + png
                        : " (no PNG: install Graphviz, e.g. apt-get install graphviz, then run dot -Tpng on circuit.dot)"));
            }
        }
        w.flush();
        return 0;
    }

    /**
     * The built-in models (trained and cached on the CPU) or {@code --model DIR} loaded onto {@code device}. A post-LN
     * OPT is refused before anything runs (one line, exit 2: {@link PatchedForward#refusal}).
     */
    private CausalLM loadModel(Path zoo, Device device) {
        if (!device.equals(Device.CPU) && BUILT_INS.contains(model))
            throw new UserInputException("--model " + model + " is a built-in model, which runs on the CPU only: drop"
                    + " --device " + device + ", or give a model directory");
        return switch (model) {
            case "induction-2l" -> ModelZoo.induction2l(zoo);
            case "induction-2l-wide" -> ModelZoo.inductionWide(zoo);
            case "planted" -> ModelZoo.planted(zoo);
            case "permuted-gpt" -> ModelZoo.permutedGpt(zoo);
            default -> {
                Path dir = Path.of(model);
                if (!Files.isDirectory(dir)) throw new ParameterException(spec.commandLine(), "--model " + model
                        + " is neither a directory nor one of induction-2l, induction-2l-wide, planted, permuted-gpt");
                CausalLM m = Models.loadCausalLM(dir, device);
                var why = PatchedForward.refusal(m.config());
                if (why.isPresent()) {
                    m.close();
                    throw new UserInputException("--model " + model + " " + why.get());
                }
                yield m;
            }
        };
    }

    /** {@code --model DIR} without its blocks ({@link Models#loadCausalLMStreaming}); a post-LN OPT is refused. */
    private Models.Streamed loadStreamed() {
        Path dir = Path.of(model);
        if (!Files.isDirectory(dir)) throw new ParameterException(spec.commandLine(), "--model " + model
                + " is neither a directory nor one of induction-2l, induction-2l-wide, planted, permuted-gpt");
        Models.Streamed s = Models.loadCausalLMStreaming(dir);
        var why = PatchedForward.refusal(s.model().config());
        if (why.isPresent()) {
            s.close();
            throw new UserInputException("--model " + model + " " + why.get());
        }
        return s;
    }

    private CircuitTask task(CausalLM m) {
        String name = task != null ? task : switch (model) {
            case "planted" -> "planted";
            case "permuted-gpt" -> "permuted-previous";
            default -> "induction";
        };
        int vocab = m.config().vocabSize(), positions = m.config().maxPositions();
        return switch (name) {
            case "planted" -> new PlantedModel.Task();
            case "induction" -> model.equals("induction-2l") ? ModelZoo.INDUCTION
                    : model.equals("induction-2l-wide") ? ModelZoo.INDUCTION_WIDE
                    : new CircuitTask.Induction(vocab, Math.min(10, positions / 2));
            case "permuted-previous" -> model.equals("permuted-gpt") ? ModelZoo.PERMUTED
                    : CircuitTask.PermutedPrevious.of(vocab, Math.min(12, positions), 7);
            default -> throw new ParameterException(spec.commandLine(), "--task " + name
                    + " is not one of induction, planted, permuted-previous");
        };
    }

    /** {@code fp32}, {@code pahq} (= {@code int8}) or {@code bf16}. */
    static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String v) {
            try {
                return Precision.parse(v);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + v + "' is not one of fp32, pahq (int8), bf16");
            }
        }
    }

    static final class MetricConverter implements picocli.CommandLine.ITypeConverter<AcdcRun.MetricKind> {
        @Override
        public AcdcRun.MetricKind convert(String v) { return CliEnums.parse(AcdcRun.MetricKind.class, v); }
    }

    static final class AblationConverter implements picocli.CommandLine.ITypeConverter<AcdcSettings.Ablation> {
        @Override
        public AcdcSettings.Ablation convert(String v) { return CliEnums.parse(AcdcSettings.Ablation.class, v); }
    }
}
