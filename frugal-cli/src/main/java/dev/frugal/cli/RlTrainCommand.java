package dev.frugal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.FileTrees;
import dev.frugal.model.CausalLM;
import dev.frugal.model.CheckpointMismatchException;
import dev.frugal.model.Models;
import dev.frugal.rl.GrpoConfig;
import dev.frugal.rl.GrpoTrainer;
import dev.frugal.rl.LossType;
import dev.frugal.rl.SamplerConfig;
import dev.frugal.rl.SamplingMode;
import dev.frugal.rl.ScaleRewards;
import dev.frugal.rl.task.CharVocab;
import dev.frugal.rl.task.TaskFamily;
import dev.frugal.rl.task.TaskGrpoRun;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal rl train}: GRPO on the task family with TRL's option names, a chosen sampler, metrics.jsonl, a reward
 * curve PNG and atomic checkpoints.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "GRPO (TRL's GRPOTrainer semantics) on frugal's verifiable task family with a memory-bounded sampler.")
public final class RlTrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Policy: a 'frugal rl pretrain' directory.")
    Path model;

    @Option(names = "--output-dir", required = true, paramLabel = "DIR",
            description = "metrics.jsonl, reward_curve.png, checkpoint-N/ and final/ go here.")
    Path outputDir;

    @Option(names = "--ref-model", paramLabel = "DIR", description = "Frozen reference for the KL term (default: --model when --beta > 0).")
    Path refModel;

    @Option(names = "--resume-from", paramLabel = "DIR", description = "A checkpoint-N directory of an earlier run with the same settings.")
    Path resumeFrom;

    @Option(names = "--max-steps", paramLabel = "N", description = "GRPO steps (default 40).")
    int maxSteps = 40;

    @Option(names = "--per-device-train-batch-size", paramLabel = "B", description = "Completions per step (default 64; a multiple of --num-generations).")
    int batch = 64;

    @Option(names = "--num-generations", paramLabel = "G", description = "Completions per prompt (default 8).")
    int numGenerations = 8;

    @Option(names = "--max-completion-length", paramLabel = "L", description = "New tokens per completion at most (default 52: the longest taught completion).")
    int maxCompletionLength = TaskFamily.maxAnswerTokens();

    @Option(names = "--learning-rate", paramLabel = "LR", description = "AdamW learning rate (default 1e-4).")
    double learningRate = 1e-4;

    @Option(names = "--lr-scheduler-type", paramLabel = "T", description = "linear (default, as TRL: from --learning-rate"
            + " down to 0 over --max-steps) | constant.")
    String lrSchedulerType = "linear";

    @Option(names = "--beta", paramLabel = "B", description = "KL weight to the reference, k3 estimator (default 0).")
    double beta = 0;

    @Option(names = "--epsilon", paramLabel = "E", description = "Lower clip ε (default 0.2).")
    double epsilon = 0.2;

    @Option(names = "--epsilon-high", paramLabel = "E", description = "Upper clip (default: --epsilon).")
    Double epsilonHigh;

    @Option(names = "--loss-type", paramLabel = "T", description = "grpo | dr_grpo | dapo (default dapo, as TRL).")
    String lossType = "dapo";

    @Option(names = "--scale-rewards", paramLabel = "S", description = "group (default) | batch | none")
    String scaleRewards = "group";

    @Option(names = "--num-iterations", paramLabel = "MU", description = "Policy updates per generation batch (default 1).")
    int numIterations = 1;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default 1.0).")
    double temperature = 1.0;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus mass (default 1.0).")
    double topP = 1.0;

    @Option(names = "--sampling", paramLabel = "MODE", description = "full | micro | continuous | infinite (default infinite).")
    String sampling = "infinite";

    @Option(names = "--micro-group-size", paramLabel = "g", description = "Decode slots g <= G (default 8).")
    int microGroupSize = 8;

    @Option(names = "--kv-budget-mb", paramLabel = "MB", description = "KV-cache budget that picks the slot count instead of g.")
    Double kvBudgetMb;

    @Option(names = "--fptas-epsilon", paramLabel = "E", description = "Approximation ε of the FPTAS grouping (default 0.2).")
    double fptasEpsilon = 0.2;

    @Option(names = "--eval-steps", paramLabel = "K", description = "Held-out evaluation every K steps (default 5).")
    int evalSteps = 5;

    @Option(names = "--save-steps", paramLabel = "K", description = "Checkpoint every K steps (default 20).")
    int saveSteps = 20;

    @Option(names = "--held-out", paramLabel = "N", description = "Held-out prompts (default 200, at most 2000).")
    int heldOut = 200;

    @Option(names = "--eval-samples", paramLabel = "K", description = "Completions sampled per held-out prompt for the"
            + " held-out reward (default 4; the same random numbers at every evaluation).")
    int evalSamples = 4;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the prompt stream and the samplers (default 42).")
    long seed = 42;

    @Mixin
    ProgressOption progress;

    @Option(names = "--partial-credit-weight", paramLabel = "W", description = "Add a partial-credit reward (characters"
            + " right at their position / the longer length) times W to exact match (default 0: exact match alone)."
            + " Held-out evaluation stays exact match.")
    double partialCreditWeight = 0;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        if (maxSteps < 1) throw new ParameterException(spec.commandLine(), "--max-steps must be >= 1, got " + maxSteps);
        if (numGenerations < 2) throw new ParameterException(spec.commandLine(), "--num-generations must be >= 2, got " + numGenerations);
        if (batch < 1 || batch % numGenerations != 0)
            throw new ParameterException(spec.commandLine(), "--per-device-train-batch-size " + batch
                    + " is not a multiple of --num-generations " + numGenerations + ": each prompt needs a whole group");
        if (maxCompletionLength < 1)
            throw new ParameterException(spec.commandLine(), "--max-completion-length must be >= 1, got " + maxCompletionLength);
        if (evalSteps < 1 || saveSteps < 1) throw new ParameterException(spec.commandLine(), "--eval-steps and --save-steps must be >= 1");
        if (heldOut < 1 || heldOut > TaskFamily.RESERVED)
            throw new ParameterException(spec.commandLine(), "--held-out must be in [1, " + TaskFamily.RESERVED + "], got " + heldOut);
        if (!lrSchedulerType.equals("linear") && !lrSchedulerType.equals("constant"))
            throw new ParameterException(spec.commandLine(), "--lr-scheduler-type '" + lrSchedulerType
                    + "' is not one of linear, constant");
        if (evalSamples < 1) throw new ParameterException(spec.commandLine(), "--eval-samples must be >= 1, got " + evalSamples);
        if (!(partialCreditWeight >= 0) || Double.isInfinite(partialCreditWeight))
            throw new ParameterException(spec.commandLine(), "--partial-credit-weight must be a finite value >= 0, got "
                    + partialCreditWeight);
        if (kvBudgetMb != null && !(kvBudgetMb > 0))
            throw new ParameterException(spec.commandLine(), "--kv-budget-mb must be > 0, got " + kvBudgetMb);
        GrpoConfig cfg = new GrpoConfig(numGenerations, maxCompletionLength, temperature, topP, epsilon,
                epsilonHigh != null ? epsilonHigh : epsilon, beta, LossType.parse(lossType), ScaleRewards.parse(scaleRewards),
                numIterations, learningRate);
        SamplingMode mode = SamplingMode.parse(sampling);
        long budget = kvBudgetMb == null ? 0 : (long) (kvBudgetMb * 1048576);
        SamplerConfig sc = new SamplerConfig(mode, numGenerations, budget > 0 ? 0 : microGroupSize, budget,
                maxCompletionLength, temperature, topP, seed, CharVocab.EOS, fptasEpsilon);
        FrugalCommand.configureThreads(spec);
        Path policyDir = resumeFrom != null ? resumeFrom : model;
        JsonNode family = readJson(model.resolve("task_family.json"), "--model " + model
                + " has no task_family.json: give a directory written by 'frugal rl pretrain'");
        if (!CharVocab.CHARS.equals(family.path("vocab").asText()))
            throw new dev.frugal.UserInputException("--model " + model + " was pretrained on another version of the task"
                    + " family (vocabulary '" + family.path("vocab").asText() + "', this frugal's '" + CharVocab.CHARS
                    + "'): run 'frugal rl pretrain' again");
        Map<String, Object> identity = identity(cfg, mode);
        int startStep = 0;
        if (resumeFrom != null) startStep = checkResume(resumeFrom, identity);
        Files.createDirectories(outputDir);
        PrintWriter o = spec.commandLine().getOut();
        try (CausalLM policy = Models.loadCausalLM(policyDir, Device.CPU);
             CausalLM ref = beta > 0 ? Models.loadCausalLM(refModel != null ? refModel : model, Device.CPU) : null;
             TaskGrpoRun run = new TaskGrpoRun(policy, ref, cfg, sc, seed, batch / numGenerations, heldOut,
                     partialCreditWeight);
             MetricsLog log = new MetricsLog(outputDir.resolve("metrics.jsonl"), resumeFrom != null)) {
            if (startStep > 0) {
                run.skip(startStep);
                Path optState = resumeFrom.resolve(GrpoTrainer.OPTIMIZER_FILE);
                if (!Files.isRegularFile(optState))
                    throw new CheckpointMismatchException(resumeFrom, "it has no " + GrpoTrainer.OPTIMIZER_FILE
                            + " (AdamW's moments): it was written by an older frugal; start a new run");
                run.trainer().loadOptimizer(optState);
            }
            o.printf(Locale.ROOT, "rl train: %s policy %s (%,d parameters); %d steps x %d prompts x G=%d, L=%d, %s loss,"
                            + " beta %.3g, eps [%.2f, %.2f], mu %d, lr %.1e (%s), sampling %s (g=%s), seed %d%n",
                    policy.config().source().modelType(), policyDir, policy.parameterCount(), maxSteps, batch / numGenerations,
                    numGenerations, maxCompletionLength, cfg.lossType(), beta, epsilon, cfg.epsilonHigh(), numIterations,
                    learningRate, lrSchedulerType, mode, budget > 0 ? "budget " + kvBudgetMb + " MB" : Integer.toString(microGroupSize), seed);
            o.flush();
            List<double[]> curve = new ArrayList<>(), evals = new ArrayList<>(), greedyEvals = new ArrayList<>();
            double start = run.evaluateSampled(evalSamples), startGreedy = run.evaluate();
            evals.add(new double[] {startStep, start});
            greedyEvals.add(new double[] {startStep, startGreedy});
            log.write(Map.of("step", startStep, "eval/exact_match", start, "eval/exact_match_greedy", startGreedy));
            o.printf(Locale.ROOT, "held-out exact match at step %d: sampled %.3f (%d prompts x %d), greedy %.3f%n", startStep,
                    start, heldOut, evalSamples, startGreedy);
            o.flush();
            double last = start, lastGreedy = startGreedy;
            long t0 = System.nanoTime();
            try (ProgressBar bar = progress.bar("grpo", maxSteps, "steps")) {
                if (bar != null) bar.stepTo(startStep);
                for (int step = startStep + 1; step <= maxSteps; step++) {
                    double lr = lrSchedulerType.equals("linear") ? GrpoTrainer.linearSchedule(learningRate, step, maxSteps)
                            : learningRate;
                    run.trainer().setLearningRate(lr);
                    Map<String, Object> m = new LinkedHashMap<>(run.step());
                    m.put("learning_rate", lr);
                    // the exact-match part (comparable with the held-out points) when partial credit is added
                    curve.add(new double[] {step, (double) m.getOrDefault("rewards/exact_match", m.get("reward"))});
                    if (step % evalSteps == 0 || step == maxSteps) {
                        last = run.evaluateSampled(evalSamples);
                        lastGreedy = run.evaluate();
                        evals.add(new double[] {step, last});
                        greedyEvals.add(new double[] {step, lastGreedy});
                        m.put("eval/exact_match", last);
                        m.put("eval/exact_match_greedy", lastGreedy);
                    }
                    m.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                    log.write(m);
                    if (bar != null) {
                        bar.stepTo(step);
                        bar.setExtraMessage(String.format(Locale.ROOT, " reward %.2f, held-out %.2f", m.get("reward"), last));
                    }
                    if (step % saveSteps == 0 || step == maxSteps) checkpoint(policy, run.trainer(), step, identity);
                    RlPlot.rewardCurve(curve, evals, greedyEvals, "GRPO on the task family (" + mode + " sampling, G=" + numGenerations + ")",
                            outputDir.resolve("reward_curve.png"));
                }
            }
            Path fin = outputDir.resolve("final");
            atomicSave(policy, fin, null);
            Files.copy(model.resolve("task_family.json"), fin.resolve("task_family.json"), StandardCopyOption.REPLACE_EXISTING);
            o.printf(Locale.ROOT, "held-out exact match: sampled %.3f -> %.3f (%+.1f points, %.2fx), greedy %.3f -> %.3f;"
                            + " %.1f s; %s%n", start, last, 100 * (last - start), last / Math.max(start, 1e-9), startGreedy,
                    lastGreedy, (System.nanoTime() - t0) / 1e9, outputDir.resolve("reward_curve.png"));
        }
        return 0;
    }

    private Map<String, Object> identity(GrpoConfig cfg, SamplingMode mode) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("seed", seed);
        id.put("num_generations", cfg.numGenerations());
        id.put("per_device_train_batch_size", batch);
        id.put("max_completion_length", cfg.maxCompletionLength());
        id.put("loss_type", cfg.lossType().optionName());
        id.put("beta", cfg.beta());
        return id;
    }

    /** The step a checkpoint was written at, after checking it belongs to a run with these settings. */
    private int checkResume(Path ckpt, Map<String, Object> identity) {
        JsonNode st = readJson(ckpt.resolve("trainer_state.json"), "--resume-from " + ckpt
                + " has no trainer_state.json: give a checkpoint-N directory of 'frugal rl train'");
        JsonNode id = st.path("identity");
        for (Map.Entry<String, Object> e : identity.entrySet()) {
            JsonNode v = id.get(e.getKey());
            if (v == null || !v.asText().equals(JSON.valueToTree(e.getValue()).asText()))
                throw new CheckpointMismatchException(ckpt, "it was written with " + e.getKey() + " = "
                        + (v == null ? "(none)" : v.asText()) + ", this run has " + e.getValue()
                        + ": resume with the same settings");
        }
        return st.path("step").asInt();
    }

    private void checkpoint(CausalLM policy, GrpoTrainer trainer, int step, Map<String, Object> identity) throws IOException {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("step", step);
        st.put("identity", identity);
        atomicSave(policy, outputDir.resolve("checkpoint-" + step), st, trainer);
    }

    private static void atomicSave(CausalLM policy, Path dir, Map<String, Object> state) throws IOException {
        atomicSave(policy, dir, state, null);
    }

    /** Writes the model (and trainer state, AdamW's moments) into a temporary directory, then renames it into place. */
    private static void atomicSave(CausalLM policy, Path dir, Map<String, Object> state, GrpoTrainer trainer)
            throws IOException {
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp");
        FileTrees.delete(tmp);
        Models.save(policy, tmp);
        if (trainer != null) trainer.saveOptimizer(tmp.resolve(GrpoTrainer.OPTIMIZER_FILE));
        if (state != null) JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("trainer_state.json").toFile(), state);
        FileTrees.delete(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static JsonNode readJson(Path f, String missing) {
        if (!Files.isRegularFile(f)) throw new dev.frugal.UserInputException(missing);
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }
}
