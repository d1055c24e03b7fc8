package dev.frugal.cli;

import dev.frugal.dp.ClipMode;
import dev.frugal.dp.ClippingAlgorithm;
import dev.frugal.dp.DpOptimizer;
import dev.frugal.dp.tasks.DpTask;
import dev.frugal.dp.tasks.FmnistTask;
import dev.frugal.dp.tasks.LmTask;
import dev.frugal.dp.tasks.PrivateTraining;
import dev.frugal.dp.tasks.SpamTask;
import dev.frugal.dp.vision.Mlp;
import dev.frugal.dp.vision.SmallCnn;
import dev.frugal.model.ModelRef;
import dev.frugal.tensor.Rng;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal dp train}: differentially private training (DP-SGD with FlashDP's per-layer clipping by default),
 * Poisson sampling, RDP accounting; the tasks and the loop are {@code frugal-dp}'s ({@link PrivateTraining}). Prints ε
 * as it trains, writes JSON-lines metrics and a PNG of test accuracy against ε, and ends with the final test metrics.
 * Every option is checked before anything is loaded; a rejected run writes nothing.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model with differential privacy (DP-SGD) and report the privacy spent.")
public final class DpTrainCommand implements Callable<Integer>, SettingFlags {
    /** What {@code --task} accepts. */
    enum Task { fmnist, spam, lm }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "cnn | mlp (fmnist), minilm (spam; imported once into $FRUGAL_HOME/models), or a Hugging Face"
                    + " model DIR (BERT encoder with tokenizer.json for spam, decoder for lm).")
    String model;

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "fmnist | spam | lm")
    Task task;

    @Option(names = "--target-epsilon", paramLabel = "E", description = "Solve the noise multiplier σ for this ε at the end.")
    Double targetEpsilon;

    @Option(names = "--sigma", paramLabel = "S", description = "Noise multiplier σ > 0 (instead of --target-epsilon).")
    Double sigma;

    @Option(names = "--delta", paramLabel = "D", description = "δ of the (ε, δ) guarantee (default 1e-5).")
    double delta = 1e-5;

    @Option(names = "--clip", paramLabel = "C", description = "Overall clipping bound C (default 1.0).")
    double clip = 1.0;

    @Option(names = "--clipping", paramLabel = "MODE", converter = CliEnums.ClipModeConverter.class,
            description = "per-layer (C_l = C/√L, default) | flat")
    ClipMode clipping = ClipMode.PER_LAYER;

    @Option(names = "--head-clip-share", paramLabel = "F", description = "per-layer clipping: give the classifier"
            + " head the share F of C² (its tensors split C·√F, the others C·√(1−F)); default: equal C_l = C/√L.")
    Double headClipShare;

    @Option(names = "--algorithm", paramLabel = "ALG", converter = CliEnums.AlgorithmConverter.class,
            description = "flash (default) | ghost | explicit")
    ClippingAlgorithm algorithm = ClippingAlgorithm.FLASH;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Sampling sampling;

    /** Poisson rate or expected batch size. */
    static final class Sampling {
        @Option(names = "--sample-rate", paramLabel = "Q", required = true, description = "Poisson sampling rate q.")
        Double sampleRate;

        @Option(names = "--batch", paramLabel = "B", required = true, description = "Expected batch size (q = B/N);"
                + " at most the number of training examples.")
        Integer batch;
    }

    @Option(names = "--fixed-batches", description = "Shuffled fixed-size batches instead of Poisson sampling (the"
            + " accountant's assumption then does not hold; a warning is printed). Needs --batch.")
    boolean fixedBatches;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default 1).")
    int epochs = 1;

    @Option(names = "--optimizer", paramLabel = "OPT", converter = CliEnums.OptimizerConverter.class,
            description = "sgd (default) | adamw: the dev.frugal.train optimizer that applies the noisy gradient.")
    DpOptimizer optimizer = DpOptimizer.SGD;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (default: 2.0 fmnist, 0.01 spam, 1e-3 lm).")
    Double lr;

    @Option(names = "--head-lr", paramLabel = "LR", description = "Learning rate of the classifier head (spam;"
            + " default 1.0 with SGD, else --lr).")
    Double headLr;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default 0; AdamW uses β₁ = 0.9).")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "AdamW decoupled weight decay (default 0).")
    double weightDecay;

    @Option(names = "--trainable-blocks", paramLabel = "K", description = "spam: fine-tune the top K of MiniLM's 6"
            + " encoder blocks (default 2; 6 = the whole encoder); the embeddings stay frozen.")
    Integer trainableBlocks;

    @Option(names = "--freeze-encoder", description = "spam: freeze the whole encoder and train only the head (a"
            + " private linear probe; same as --trainable-blocks 0).")
    boolean freezeEncoder;

    @Option(names = "--cosine", description = "Cosine learning-rate decay to 0 over the run.")
    boolean cosine;

    @Option(names = "--seed", paramLabel = "S", description = "Seed sampling, noise and init (for tests: without it"
            + " sampling and noise are seeded from SecureRandom).")
    Long seed;

    @Option(names = "--max-train", paramLabel = "N", description = "Use only the first N >= 1 training examples"
            + " (default: all).")
    Integer maxTrain;

    @Option(names = "--text", paramLabel = "FILE", description = "lm task: training text, one example per line.")
    Path text;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "lm task: tokenizer.json for --text (default:"
            + " the model's).")
    Path tokenizer;

    @Option(names = "--seq-len", paramLabel = "T", description = "lm/spam: tokens per example (default 64).")
    int seqLen = 64;

    @Option(names = "--log-every", paramLabel = "K", description = "Print ε and loss every K steps (default 10).")
    int logEvery = 10;

    @Option(names = "--out", paramLabel = "DIR", description = "Where metrics.jsonl and accuracy_vs_epsilon.png go. "
            + RunDirs.DEFAULT_HELP + "dp.")
    Path out;

    /**
     * MiniLM blocks fine-tuned by default: the top two (3.5M of the encoder's 10.6M block parameters). Each step then
     * runs the forward and backward of two blocks instead of six (the frozen lower blocks' output is cached once), so a
     * run over the 4,701 training emails fits in about 20 minutes on a 2-core CPU, and the noise, whose norm grows
     * with the square root of the trained coordinates, is spread over a third of them.
     */
    static final int DEFAULT_TRAINABLE_BLOCKS = 2;

    @Override
    public Map<String, String> settingFlags() {
        return Map.of("sampleRate", sampling != null && sampling.batch != null ? "--batch" : "--sample-rate",
                "fixedBatches", "--fixed-batches", "trainableBlocks", "--trainable-blocks");
    }

    @Override
    public Integer call() {
        PrivateTraining.Settings settings = settings(); // every option checked before anything loads
        checkTaskOptions();
        FrugalCommand.configureThreads(spec); // global --threads
        out = RunDirs.resolve(out, "dp");
        long initSeed = (seed != null ? seed : new SecureRandom().nextLong()) + 2;
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<double[]> curve = new ArrayList<>(); // (ε, accuracy)
        DpMetrics[] metrics = {null};
        try (DpTask t = openTask(initSeed)) {
            PrivateTraining.Result r;
            try {
                r = PrivateTraining.run(t, settings, new PrivateTraining.Listener() {
                    private long stepsPerEpoch = 1;

                    @Override
                    public void onPlan(PrivateTraining.Plan p) {
                        stepsPerEpoch = p.stepsPerEpoch();
                        if (p.warning() != null) err.println("WARNING: " + p.warning());
                        o.printf(Locale.ROOT, "%s%n%s%nDP-SGD: q=%.5f (expected batch %.1f), %d steps, σ=%.4f, C=%.3g"
                                        + " (%s, %s, sensitivity %.3g), δ=%.1e, seed %s%n", t.describe(), p.update(),
                                p.sampleRate(), p.expectedBatchSize(), p.steps(), p.sigma(), clip, p.clipping().mode(),
                                p.clipping().algorithm(), p.sensitivity(), delta, seed != null ? Long.toString(seed) : "SecureRandom");
                        o.flush();
                        metrics[0] = new DpMetrics(out);
                        metrics[0].config(t.describe() + "; " + p.update(), p, clip, delta, seed == null ? 0 : seed, seed != null);
                    }

                    @Override
                    public void onStep(PrivateTraining.StepReport s) {
                        metrics[0].step(s);
                        err.print(String.format(Locale.ROOT, "\repoch %d/%d %s step %d  loss %.4f  ε %.3f ", s.epoch(),
                                epochs, bar(s.stepInEpoch(), stepsPerEpoch), s.step(), s.meanLoss(), s.epsilon()));
                        err.flush();
                    }

                    @Override
                    public void onEval(int epoch, long step, double eps, DpTask.Evaluation e, double secs) {
                        curve.add(new double[] {eps, e.accuracy()});
                        metrics[0].eval(epoch, step, eps, e);
                        if (epoch == 0) return;
                        err.println();
                        o.printf(Locale.ROOT, "epoch %d: ε=%.3f  test accuracy %.4f  test loss %.4f  (%.1f s)%n", epoch,
                                eps, e.accuracy(), e.loss(), secs);
                        o.flush();
                    }
                });
                Path png = out.resolve("accuracy_vs_epsilon.png");
                DpPlot.accuracyVsEpsilon(curve, t.describe(), delta, png);
                metrics[0].result(r);
                o.printf(Locale.ROOT, "%n%-26s %s%n%-26s %.4f%n%-26s %.4f%n%-26s %.4f%n%-26s %.1e%n%-26s %d%n%-26s %s%n%-26s %s%n",
                        "task", task, "test accuracy", r.finalEvaluation().accuracy(), "majority-class baseline",
                        r.majorityBaseline(), "ε spent", r.epsilon(), "δ", delta, "steps", r.steps(), "metrics",
                        metrics[0].file(), "plot", png);
                return 0;
            } finally {
                if (metrics[0] != null) metrics[0].close();
            }
        }
    }

    /** The loop's settings from the options: validated here, before any data or model is loaded. */
    private PrivateTraining.Settings settings() {
        double bodyLr = lr != null ? lr : switch (task) {
            case fmnist -> 2.0;
            case spam -> 0.01;
            case lm -> 1e-3;
        };
        Double hLr = headLr != null ? headLr : optimizer == DpOptimizer.SGD && task == Task.spam ? Double.valueOf(1.0) : null;
        return new PrivateTraining.Settings(epochs, sampling.sampleRate, sampling.batch, fixedBatches, sigma,
                targetEpsilon, delta, clipping, algorithm, clip, headClipShare, optimizer, bodyLr, hLr, momentum,
                weightDecay, cosine, seed, logEvery);
    }

    /** The options that depend on the task, checked before it is opened. */
    private void checkTaskOptions() {
        if (maxTrain != null && maxTrain < 1)
            throw new ParameterException(spec.commandLine(), "--max-train must be >= 1 (leave it out for all), got " + maxTrain);
        if (seqLen < 2) throw new ParameterException(spec.commandLine(), "--seq-len must be >= 2, got " + seqLen);
        switch (task) {
            case fmnist -> {
                if (!model.equals("cnn") && !model.equals("mlp"))
                    throw new ParameterException(spec.commandLine(), "--task fmnist takes --model cnn or mlp, got " + model);
            }
            case spam -> {
                if (model.equals("cnn") || model.equals("mlp"))
                    throw new ParameterException(spec.commandLine(), "--task spam takes --model minilm or a BERT model"
                            + " DIR; " + model + " is a Fashion-MNIST model (--task fmnist)");
                if (freezeEncoder && trainableBlocks != null && trainableBlocks != 0)
                    throw new ParameterException(spec.commandLine(), "--freeze-encoder contradicts --trainable-blocks "
                            + trainableBlocks + ": give one of them");
                if (trainableBlocks != null && trainableBlocks < 0)
                    throw new ParameterException(spec.commandLine(), "--trainable-blocks must be >= 0, got " + trainableBlocks);
                if (seqLen < 8) throw new ParameterException(spec.commandLine(), "--seq-len must be >= 8 for spam, got " + seqLen);
            }
            case lm -> {
                if (text == null) throw new ParameterException(spec.commandLine(), "--task lm needs --text FILE");
                if (!Files.isRegularFile(text))
                    throw new ParameterException(spec.commandLine(), "--text " + text + ": " + (Files.isDirectory(text)
                            ? "is a directory, not a text file" : "no such file"));
                if (tokenizer != null && !Files.isRegularFile(tokenizer))
                    throw new ParameterException(spec.commandLine(), "--tokenizer " + tokenizer + ": no such file");
                if (!Files.isDirectory(Path.of(model)))
                    throw new ParameterException(spec.commandLine(), "--task lm needs --model DIR (a decoder), got " + model);
            }
        }
        if (headClipShare != null && task != Task.spam)
            throw new ParameterException(spec.commandLine(), "--head-clip-share needs --task spam (a task with a head)");
    }

    private DpTask openTask(long initSeed) {
        int max = maxTrain == null ? 0 : maxTrain;
        return switch (task) {
            case fmnist -> {
                try (Rng init = Rng.seeded("init", initSeed)) {
                    yield new FmnistTask(model.equals("cnn") ? new SmallCnn(init) : new Mlp(init, 784, 128, 10), max);
                }
            }
            case spam -> SpamTask.open(ModelRef.resolve(model), seqLen, max,
                    freezeEncoder ? 0 : trainableBlocks != null ? trainableBlocks : DEFAULT_TRAINABLE_BLOCKS);
            case lm -> {
                Path dir = ModelRef.resolve(model);
                yield LmTask.open(dir, tokenizer != null ? tokenizer : dir.resolve("tokenizer.json"), text, seqLen, max);
            }
        };
    }

    private static String bar(long done, long total) {
        int w = 20, f = (int) Math.min(w, w * done / Math.max(1, total));
        return "[" + "#".repeat(f) + ".".repeat(w - f) + "]";
    }
}
