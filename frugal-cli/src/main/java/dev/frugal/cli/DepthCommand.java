package dev.frugal.cli;

import dev.frugal.depth.DepthEvaluator;
import dev.frugal.depth.DepthPolicy;
import dev.frugal.depth.DepthTrainer;
import dev.frugal.depth.Sequence;
import dev.frugal.depth.SequenceIo;
import dev.frugal.depth.Snippets;
import dev.frugal.depth.TrainConfig;
import dev.frugal.depth.net.DepthPoseModel;
import dev.frugal.depth.net.ModelConfig;
import dev.frugal.depth.sim.SequenceGenerator;
import dev.frugal.depth.sim.SimConfig;
import dev.frugal.depth.sim.VibrationIntensity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code frugal depth}: the capsule simulator and V²-SfMLearner training and evaluation. */
@Command(name = "depth", mixinStandardHelpOptions = true, description = "Capsule-endoscopy depth and ego-motion (V2-SfMLearner).",
        subcommands = {DepthCommand.Generate.class, DepthCommand.Train.class, DepthCommand.Eval.class})
public final class DepthCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() { throw new ParameterException(spec.commandLine(), "Missing required subcommand (generate, train, eval)"); }

    int threads() {
        return FrugalCommand.configureThreads(spec);
    }

    /** {@code frugal depth generate}: renders sequences. */
    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Render simulated capsule sequences (RGB, depth, poses, intrinsics, IMU).")
    static final class Generate implements Callable<Integer> {
        @ParentCommand
        DepthCommand parent;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (one sub-directory per sequence).")
        Path out;

        @Option(names = "--sequences", paramLabel = "N", description = "Number of sequences (default 1).")
        int sequences = 1;

        @Option(names = "--frames", paramLabel = "N", description = "Frames per sequence (default 300).")
        int frames = 300;

        @Option(names = "--width", paramLabel = "PX", description = "Image width (default 320).")
        int width = 320;

        @Option(names = "--height", paramLabel = "PX", description = "Image height (default 256).")
        int height = 256;

        @Option(names = "--vibration", paramLabel = "LEVEL", description = "none, moderate or strong (default moderate).")
        String vibration = "moderate";

        @Option(names = "--seed", paramLabel = "S", description = "Seed of the first sequence; sequence i uses seed+i (default 1).")
        long seed = 1;

        @Override
        public Integer call() {
            VibrationIntensity vi;
            try {
                vi = VibrationIntensity.of(vibration);
            } catch (IllegalArgumentException e) {
                throw new dev.frugal.UserInputException("--vibration: " + e.getMessage());
            }
            if (sequences < 1) throw new dev.frugal.UserInputException("--sequences must be at least 1, got " + sequences);
            int threads = parent.threads();
            PrintWriter o = parent.spec.commandLine().getOut();
            ForkJoinPool pool = new ForkJoinPool(threads);
            double ms = 0;
            long t0 = System.nanoTime();
            try (ProgressBar pb = Progress.bar("render", sequences, "seq")) {
                for (int i = 0; i < sequences; i++) {
                    SimConfig cfg;
                    try {
                        cfg = SimConfig.of(width, height, frames, vi, seed + i);
                    } catch (IllegalArgumentException e) {
                        throw new dev.frugal.UserInputException("--width/--height/--frames: " + e.getMessage());
                    }
                    SequenceGenerator.Generated g = SequenceGenerator.generate(String.format("seq_%03d", i), cfg, pool);
                    ms += g.renderMsPerFrame() / sequences;
                    Map<String, Object> meta = new LinkedHashMap<>();
                    meta.put("seed", seed + i);
                    meta.put("frame_rate", cfg.frameRate());
                    meta.put("imu_rate", cfg.imuRate());
                    meta.put("units", "cm");
                    meta.put("collisions", g.collisions());
                    SequenceIo.write(out.resolve(String.format("seq_%03d", i)), g.sequence(), meta);
                    pb.step();
                }
            } finally {
                pool.shutdown();
            }
            o.printf(Locale.ROOT, "wrote %d sequences x %d frames (%dx%d, vibration %s) to %s: render %.1f ms/frame on %d threads, %.1f s in all%n",
                    sequences, frames, width, height, vi.cliName(), out, ms, threads, (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    /** Which model {@code --vibration on|off} trains. */
    enum VibrationPath { ON, OFF }

    static VibrationPath vibrationPath(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "on" -> VibrationPath.ON;
            case "off" -> VibrationPath.OFF;
            default -> throw new dev.frugal.UserInputException("--vibration must be on (V2-SfMLearner) or off (vision only), got '" + s + "'");
        };
    }

    /** {@code frugal depth train}. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Train depth and pose self-supervised on generated sequences; resumable.")
    static final class Train implements Callable<Integer> {
        @ParentCommand
        DepthCommand parent;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory of sequences from `depth generate`.")
        Path data;

        @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default $FRUGAL_HOME/runs/depth-<on|off>).")
        Path out;

        @Option(names = "--vibration", required = true, paramLabel = "on|off", description = "on: V2-SfMLearner; off: vision only.")
        String vibration;

        @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default 4).")
        int epochs = 4;

        @Option(names = "--batch", paramLabel = "N", description = "Snippets per step (default 4).")
        int batch = 4;

        @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (default 5e-4).")
        double lr = 5e-4;

        @Option(names = "--seed", paramLabel = "S", description = "Initialisation and data-order seed (default 1).")
        long seed = 1;

        @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints (default 50).")
        int checkpointEvery = 50;

        @Option(names = "--resume", description = "Continue from the run directory's checkpoint.")
        boolean resume;

        @picocli.CommandLine.Mixin
        BadDepthOption badDepth;

        @Override
        public Integer call() {
            VibrationPath vp = vibrationPath(vibration);
            DepthPolicy policy = badDepth.policy();
            TrainConfig tc;
            try {
                tc = new TrainConfig(epochs, batch, lr, 1e-3, seed, checkpointEvery);
            } catch (IllegalArgumentException e) {
                throw new dev.frugal.UserInputException("--epochs/--batch/--lr/--checkpoint-every: " + e.getMessage());
            }
            Path run = RunDirs.resolve(out, "depth-" + vp.name().toLowerCase(Locale.ROOT));
            Path ck = run.resolve("checkpoint.safetensors");
            if (!resume && Files.exists(ck))
                throw new dev.frugal.UserInputException("--out " + run + " already holds a checkpoint: pass --resume to continue it or choose another --out");
            parent.threads();
            List<Sequence> seqs = SequenceIo.readAll(data, policy);
            PrintWriter o = parent.spec.commandLine().getOut();
            long masked = seqs.stream().mapToLong(Sequence::invalidDepth).sum();
            if (masked > 0) o.printf("masked %d ground-truth depth pixels that were NaN or non-positive%n", masked);
            Snippets snippets = new Snippets(seqs);
            ModelConfig mc = ModelConfig.small(snippets.height(), snippets.width(), vp == VibrationPath.ON);
            try (DepthPoseModel model = new DepthPoseModel(mc, seed); DepthTrainer tr = new DepthTrainer(model, tc, snippets, seqs.get(0).intrinsics());
                 MetricsLog log = new MetricsLog(run.resolve("metrics.jsonl"), resume)) {
                if (resume) tr.resume(ck);
                writeModelJson(run, mc, seed);
                o.printf(Locale.ROOT, "training %s on %d sequences (%d snippets, %dx%d), %d parameters, %d steps from step %d%n",
                        vp == VibrationPath.ON ? "V2-SfMLearner" : "vision-only", seqs.size(), snippets.size(), snippets.width(), snippets.height(),
                        model.params().count(), tr.totalSteps(), tr.step());
                try (ProgressBar pb = Progress.bar("train", tr.totalSteps(), "steps")) {
                    pb.stepTo(tr.step());
                    tr.train(st -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("step", st.step());
                        m.put("epoch", st.epoch());
                        m.put("loss", st.loss());
                        m.put("photometric", st.photometric());
                        m.put("auto_mask", st.autoMask());
                        m.put("step_s", st.seconds());
                        log.write(m);
                        pb.step();
                        pb.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", st.loss()));
                    }, ck);
                }
                o.printf("checkpoint %s, metrics %s%n", ck, log.file());
            }
            return 0;
        }
    }

    /** {@code --bad-depth} of train and eval. */
    static final class BadDepthOption {
        @Option(names = "--bad-depth", paramLabel = "mask|refuse", description = "NaN / non-positive ground-truth depth: mask and count (default) or refuse.")
        String value = "mask";

        DepthPolicy policy() { return DepthCommand.policy(value); }
    }

    static DepthPolicy policy(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "mask" -> DepthPolicy.MASK;
            case "refuse" -> DepthPolicy.REFUSE;
            default -> throw new dev.frugal.UserInputException("--bad-depth must be mask or refuse, got '" + s + "'");
        };
    }

    static void writeModelJson(Path run, ModelConfig mc, long seed) {
        try {
            Files.createDirectories(run);
            Files.writeString(run.resolve("model.json"), String.format(Locale.ROOT, "{\"height\":%d,\"width\":%d,\"vibration\":%b,\"seed\":%d}%n",
                    mc.height(), mc.width(), mc.vibration(), seed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code frugal depth eval}. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Evaluate a trained run: depth errors (median-scaled) and ATE/RPE; PNGs of input / predicted / true depth.")
    static final class Eval implements Callable<Integer> {
        @ParentCommand
        DepthCommand parent;

        @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory of `depth train`.")
        Path run;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Directory of held-out sequences.")
        Path data;

        @picocli.CommandLine.Mixin
        BadDepthOption badDepth;

        @Override
        public Integer call() throws IOException {
            DepthPolicy policy = badDepth.policy();
            Path ck = run.resolve("checkpoint.safetensors"), mj = run.resolve("model.json");
            if (!Files.exists(ck) || !Files.exists(mj))
                throw new dev.frugal.UserInputException("--run " + run + " holds no trained model (checkpoint.safetensors, model.json); run `frugal depth train` first");
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(mj.toFile());
            parent.threads();
            ModelConfig mc = ModelConfig.small(node.get("height").asInt(), node.get("width").asInt(), node.get("vibration").asBoolean());
            List<Sequence> seqs = SequenceIo.readAll(data, policy);
            PrintWriter o = parent.spec.commandLine().getOut();
            try (DepthPoseModel model = new DepthPoseModel(mc, 0); MetricsLog log = new MetricsLog(run.resolve("metrics.jsonl"), true)) {
                model.params().load(ck);
                o.printf("%-12s %8s %8s %8s %8s %7s %9s %9s%n", "sequence", "AbsRel", "SqRel", "RMSE", "RMSElog", "d<1.25", "ATE cm", "RPE deg");
                for (Sequence q : seqs) {
                    DepthEvaluator.Result r = DepthEvaluator.evaluate(model, q, q.frames() / 2);
                    var d = r.depth();
                    o.printf(Locale.ROOT, "%-12s %8.4f %8.4f %8.4f %8.4f %7.3f %9.4f %9.3f%n", q.name(), d.absRel(), d.sqRel(), d.rmse(), d.rmseLog(), d.a1(),
                            r.trajectory().ate(), r.trajectory().rpeRotDeg());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("eval", q.name());
                    m.put("abs_rel", d.absRel());
                    m.put("sq_rel", d.sqRel());
                    m.put("rmse", d.rmse());
                    m.put("rmse_log", d.rmseLog());
                    m.put("a1", d.a1());
                    m.put("a2", d.a2());
                    m.put("a3", d.a3());
                    m.put("ate", r.trajectory().ate());
                    m.put("rpe_trans", r.trajectory().rpeTrans());
                    m.put("rpe_rot_deg", r.trajectory().rpeRotDeg());
                    m.put("invalid_depth_pixels", q.invalidDepth());
                    log.write(m);
                    DepthPlots.triptych(run.resolve("depth-" + q.name() + ".png"), (mc.vibration() ? "V2-SfMLearner" : "vision only") + ", "
                            + q.name() + " (" + q.vibration().cliName() + " vibration), frame " + r.sampleFrame(),
                            q.rgb().get(r.sampleFrame()), r.sampleDepth(), q.depth().get(r.sampleFrame()), q.width(), q.height());
                }
            }
            o.printf("appended to %s; PNGs in %s%n", run.resolve("metrics.jsonl"), run);
            return 0;
        }
    }
}
