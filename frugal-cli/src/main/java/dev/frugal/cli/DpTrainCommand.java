package dev.frugal.cli;

import dev.frugal.dp.BatchSampler;
import dev.frugal.dp.ClipMode;
import dev.frugal.dp.ClippingAlgorithm;
import dev.frugal.dp.ClippingConfig;
import dev.frugal.dp.DpEngine;
import dev.frugal.dp.DpSgd;
import dev.frugal.dp.DpTrainer;
import dev.frugal.dp.RdpAccountant;
import dev.frugal.dp.vision.Mlp;
import dev.frugal.dp.vision.SmallCnn;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Threads;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import dev.frugal.train.Optimizer;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal dp train}: differentially private training (DP-SGD with FlashDP's per-layer clipping by default),
 * Poisson sampling, RDP accounting. Prints ε as it trains, writes JSON-lines metrics and a PNG of test accuracy against
 * ε, and ends with the final test metrics.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model with differential privacy (DP-SGD) and report the privacy spent.")
public final class DpTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "cnn | mlp (fmnist), minilm (spam), or a Hugging Face model DIR (BERT classifier for spam,"
                    + " decoder for lm).")
    String model;

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "fmnist | spam | lm")
    String task;

    @Option(names = "--target-epsilon", paramLabel = "E", description = "Solve the noise multiplier σ for this ε at the end.")
    Double targetEpsilon;

    @Option(names = "--sigma", paramLabel = "S", description = "Noise multiplier σ (instead of --target-epsilon).")
    Double sigma;

    @Option(names = "--delta", paramLabel = "D", description = "δ of the (ε, δ) guarantee (default 1e-5).")
    double delta = 1e-5;

    @Option(names = "--clip", paramLabel = "C", description = "Overall clipping bound C (default 1.0).")
    double clip = 1.0;

    @Option(names = "--clipping", paramLabel = "MODE", description = "per-layer (C_l = C/√L, default) | flat")
    String clipping = "per-layer";

    @Option(names = "--head-clip-share", paramLabel = "F", description = "per-layer clipping: give the classifier"
            + " head the share F of C² (its tensors split C·√F, the others C·√(1−F)); default: equal C_l = C/√L.")
    Double headClipShare;

    @Option(names = "--algorithm", paramLabel = "ALG", description = "flash (default) | ghost | explicit")
    String algorithm = "flash";

    @ArgGroup(exclusive = true, multiplicity = "1")
    Sampling sampling;

    /** Poisson rate or expected batch size. */
    static final class Sampling {
        @Option(names = "--sample-rate", paramLabel = "Q", required = true, description = "Poisson sampling rate q.")
        Double sampleRate;

        @Option(names = "--batch", paramLabel = "B", required = true, description = "Expected batch size (q = B/N).")
        Integer batch;
    }

    @Option(names = "--fixed-batches", description = "Shuffled fixed-size batches instead of Poisson sampling (the"
            + " accountant's assumption then does not hold; a warning is printed). Needs --batch.")
    boolean fixedBatches;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default 1).")
    int epochs = 1;

    @Option(names = "--optimizer", paramLabel = "OPT", description = "sgd (default) | adamw: the dev.frugal.train"
            + " optimizer that applies the noisy gradient.")
    String optimizer;

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

    @Option(names = "--max-train", paramLabel = "N", description = "Use only the first N training examples.")
    int maxTrain;

    @Option(names = "--text", paramLabel = "FILE", description = "lm task: training text, one example per line.")
    Path text;

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
    public Integer call() {
        ClippingConfig clipCfg = clippingConfig();
        if (headClipShare != null && !(headClipShare > 0 && headClipShare < 1))
            throw new ParameterException(spec.commandLine(), "--head-clip-share must be in (0, 1), got " + headClipShare);
        if (headClipShare != null && clipCfg.mode() != ClipMode.PER_LAYER)
            throw new ParameterException(spec.commandLine(), "--head-clip-share needs --clipping per-layer");
        if ((targetEpsilon == null) == (sigma == null))
            throw new ParameterException(spec.commandLine(), "give exactly one of --target-epsilon and --sigma");
        if (fixedBatches && sampling.batch == null)
            throw new ParameterException(spec.commandLine(), "--fixed-batches needs --batch");
        if (epochs < 1) throw new ParameterException(spec.commandLine(), "--epochs must be >= 1");
        if (optimizer != null && !optimizer.equals("sgd") && !optimizer.equals("adamw"))
            throw new ParameterException(spec.commandLine(), "--optimizer must be sgd or adamw, got " + optimizer);
        if (spec.root().userObject() instanceof FrugalCommand f) f.configureThreads(); // global --threads
        else Threads.configure(Threads.defaultCount());
        out = RunDirs.resolve(out, "dp");
        long baseSeed = seed != null ? seed : new SecureRandom().nextLong();
        PrintWriter o = spec.commandLine().getOut();
        try (DpTask t = buildTask(Rng.seeded("init", baseSeed + 2)); DpMetrics metrics = DpMetrics.open(out)) {
            long n = t.trainSize();
            Rng sampleRng = Rng.seeded("sampling", baseSeed), noiseRng = seed != null
                    ? Rng.seeded("dp-noise", baseSeed + 1) : DpSgd.secureNoise();
            BatchSampler sampler = fixedBatches ? BatchSampler.shuffled(n, sampling.batch, sampleRng)
                    : BatchSampler.poisson(n, sampling.sampleRate != null ? sampling.sampleRate : (double) sampling.batch / n, sampleRng);
            if (sampler.warning() != null) spec.commandLine().getErr().println("WARNING: " + sampler.warning());
            long totalSteps = epochs * sampler.stepsPerEpoch();
            double s = sigma != null ? sigma : RdpAccountant.noiseMultiplier(targetEpsilon, delta, sampler.sampleRate(), totalSteps);
            clipCfg = withHeadShare(clipCfg, t);
            DpEngine engine = new DpEngine(t.trainable(), clipCfg);
            RdpAccountant accountant = new RdpAccountant();
            DpSgd opt = new DpSgd(t.trainable(), s, sampler.sampleRate(), sampler.expectedBatchSize(), accountant,
                    noiseRng, updateGroups(t));
            DpTrainer trainer = new DpTrainer(engine, opt, sampler, t::perSampleLoss);
            o.printf(Locale.ROOT, "%s%n%s%nDP-SGD: q=%.5f (expected batch %.1f), %d steps, σ=%.4f, C=%.3g (%s, %s, sensitivity %.3g),"
                            + " δ=%.1e, seed %s%n", t.describe(), describeUpdate(opt), sampler.sampleRate(), sampler.expectedBatchSize(), totalSteps, s,
                    clip, clipCfg.mode(), clipCfg.algorithm(), engine.sensitivity(), delta,
                    seed != null ? Long.toString(seed) : "SecureRandom");
            o.flush();
            metrics.config(t.describe() + "; " + describeUpdate(opt), sampler.sampleRate(), totalSteps, s, clip, clipCfg, delta, baseSeed, seed != null);
            List<double[]> curve = new ArrayList<>(); // (ε, accuracy)
            DpTask.Evaluation ev = t.evaluate();
            curve.add(new double[] {0, ev.accuracy()});
            metrics.eval(0, 0, 0, ev);
            long step = 0;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long t0 = System.nanoTime();
                double lossSum = 0;
                long lossN = 0;
                for (long k = 0; k < sampler.stepsPerEpoch(); k++) {
                    if (cosine) opt.setLearningRateScale(0.5 * (1 + Math.cos(Math.PI * step / totalSteps)));
                    DpTrainer.StepResult r = trainer.step();
                    step++;
                    if (r.batchSize() > 0) {
                        lossSum += r.meanLoss();
                        lossN++;
                    }
                    if (step % logEvery == 0 || k == sampler.stepsPerEpoch() - 1) {
                        double eps = accountant.epsilon(delta);
                        metrics.step(step, epoch, eps, r.batchSize(), lossN == 0 ? Double.NaN : lossSum / lossN);
                        spec.commandLine().getErr().print(String.format(Locale.ROOT,
                                "\repoch %d/%d %s step %d/%d  loss %.4f  ε %.3f ", epoch, epochs,
                                bar(k + 1, sampler.stepsPerEpoch()), step, totalSteps, lossN == 0 ? Double.NaN : lossSum / lossN, eps));
                        spec.commandLine().getErr().flush();
                    }
                }
                double eps = accountant.epsilon(delta);
                ev = t.evaluate();
                curve.add(new double[] {eps, ev.accuracy()});
                metrics.eval(epoch, step, eps, ev);
                spec.commandLine().getErr().println();
                o.printf(Locale.ROOT, "epoch %d: ε=%.3f  test accuracy %.4f  test loss %.4f  (%.1f s)%n", epoch, eps,
                        ev.accuracy(), ev.loss(), (System.nanoTime() - t0) / 1e9);
                o.flush();
            }
            double eps = accountant.epsilon(delta);
            Path png = out.resolve("accuracy_vs_epsilon.png");
            DpPlot.accuracyVsEpsilon(curve, t.describe(), delta, png);
            metrics.result(eps, delta, ev, t.majorityBaseline(), step);
            o.printf(Locale.ROOT, "%n%-26s %s%n%-26s %.4f%n%-26s %.4f%n%-26s %.4f%n%-26s %.1e%n%-26s %d%n%-26s %s%n%-26s %s%n",
                    "task", task, "test accuracy", ev.accuracy(), "majority-class baseline", t.majorityBaseline(),
                    "ε spent", eps, "δ", delta, "steps", step, "metrics", out.resolve("metrics.jsonl"), "plot", png);
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String bar(long done, long total) {
        int w = 20, f = (int) (w * done / Math.max(1, total));
        return "[" + "#".repeat(f) + ".".repeat(w - f) + "]";
    }

    private double defaultLr() {
        return switch (task) {
            case "fmnist" -> 2.0;
            case "spam" -> 0.01;
            default -> 1e-3;
        };
    }

    /**
     * The dev.frugal.train optimizers that apply the noisy gradient: one over the task's encoder/body parameters at
     * {@code --lr}, one over its head at {@code --head-lr}.
     */
    private List<DpSgd.UpdateGroup> updateGroups(DpTask t) {
        String opt = optimizer != null ? optimizer : "sgd";
        double bodyLr = lr != null ? lr : defaultLr();
        double hLr = headLr != null ? headLr : opt.equals("sgd") && task.equals("spam") ? 1.0 : bodyLr;
        List<String> body = new ArrayList<>(), head = new ArrayList<>();
        t.trainable().keySet().forEach(n -> (t.headParameters().contains(n) ? head : body).add(n));
        List<DpSgd.UpdateGroup> groups = new ArrayList<>();
        if (!body.isEmpty()) groups.add(group(opt, body, bodyLr, t));
        if (!head.isEmpty()) groups.add(group(opt, head, hLr, t));
        return groups;
    }

    private DpSgd.UpdateGroup group(String opt, List<String> names, double groupLr, DpTask t) {
        List<Tensor> ps = names.stream().map(n -> t.trainable().get(n).requiresGrad(true)).toList();
        Optimizer o = opt.equals("adamw")
                ? new AdamW(ps, new AdamWConfig(groupLr, 0.9, 0.999, 1e-8, weightDecay))
                : new Sgd(ps, SgdConfig.momentum(groupLr, momentum));
        return new DpSgd.UpdateGroup(names, o);
    }

    private static String describeUpdate(DpSgd opt) {
        StringBuilder b = new StringBuilder("update:");
        for (DpSgd.UpdateGroup g : opt.groups())
            b.append(String.format(Locale.ROOT, " %s lr %.3g over %d tensors;", g.optimizer().getClass().getSimpleName(),
                    g.optimizer().lr(), g.names().size()));
        return b.substring(0, b.length() - 1);
    }

    /**
     * Per-layer bounds with the head's share of the sensitivity budget: head tensors {@code C·√(F/H)}, the other
     * {@code L−H} tensors {@code C·√((1−F)/(L−H))}, so {@code √(Σ C_l²) = C} still.
     */
    private ClippingConfig withHeadShare(ClippingConfig c, DpTask t) {
        if (headClipShare == null) return c;
        List<String> head = new ArrayList<>(), body = new ArrayList<>();
        t.trainable().keySet().forEach(n -> (t.headParameters().contains(n) ? head : body).add(n));
        if (head.isEmpty() || body.isEmpty())
            throw new ParameterException(spec.commandLine(), "--head-clip-share needs a task with a head and a trained"
                    + " body (spam with --trainable-blocks ≥ 1)");
        return c.withEveryLayerBound(head, clip * Math.sqrt(headClipShare / head.size()))
                .withEveryLayerBound(body, clip * Math.sqrt((1 - headClipShare) / body.size()));
    }

    private ClippingConfig clippingConfig() {
        ClipMode mode = switch (clipping) {
            case "per-layer" -> ClipMode.PER_LAYER;
            case "flat" -> ClipMode.FLAT;
            default -> throw new ParameterException(spec.commandLine(), "--clipping must be per-layer or flat, got " + clipping);
        };
        ClippingAlgorithm alg = switch (algorithm) {
            case "flash" -> ClippingAlgorithm.FLASH;
            case "ghost" -> ClippingAlgorithm.GHOST;
            case "explicit" -> ClippingAlgorithm.EXPLICIT;
            default -> throw new ParameterException(spec.commandLine(), "--algorithm must be flash, ghost or explicit, got " + algorithm);
        };
        return new ClippingConfig(mode, alg, clip, java.util.Map.of());
    }

    private DpTask buildTask(Rng init) {
        return switch (task) {
            case "fmnist" -> switch (model) {
                case "cnn" -> new FmnistTask(new SmallCnn(init), maxTrain);
                case "mlp" -> new FmnistTask(new Mlp(init, 784, 128, 10), maxTrain);
                default -> throw new ParameterException(spec.commandLine(), "--task fmnist takes --model cnn or mlp, got " + model);
            };
            case "spam" -> {
                if (freezeEncoder && trainableBlocks != null && trainableBlocks != 0)
                    throw new ParameterException(spec.commandLine(), "--freeze-encoder contradicts --trainable-blocks "
                            + trainableBlocks + ": give one of them");
                yield SpamTask.open(model, seqLen, maxTrain, freezeEncoder ? 0 : trainableBlocks != null ? trainableBlocks : DEFAULT_TRAINABLE_BLOCKS);
            }
            case "lm" -> {
                if (text == null) throw new ParameterException(spec.commandLine(), "--task lm needs --text FILE");
                if (!Files.isDirectory(Path.of(model)))
                    throw new ParameterException(spec.commandLine(), "--task lm needs --model DIR (a decoder), got " + model);
                yield LmTask.open(Path.of(model), text, seqLen, maxTrain);
            }
            default -> throw new ParameterException(spec.commandLine(), "--task must be fmnist, spam or lm, got " + task);
        };
    }
}
