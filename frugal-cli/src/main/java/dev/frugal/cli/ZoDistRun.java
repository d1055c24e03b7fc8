package dev.frugal.cli;

import dev.frugal.UserInputException;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.spark.DistZoOptions;
import dev.frugal.spark.DistZoResult;
import dev.frugal.spark.DistZoTrainer;
import dev.frugal.spark.LmTextBatches;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.ZoStep;
import dev.frugal.zo.tasks.LmTextData;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code zo train --spark-master ...}: the lm task trained with DistZO2 on Spark ({@link DistZoTrainer}); eval loss
 * before and after is computed here on the driver, the steps' scalars go to {@code metrics.jsonl}.
 */
final class ZoDistRun {
    private final ZoTrainCommand.ZoOptions o;
    private final DistZoCliOptions dist;
    private final int threads;
    private final PrintWriter out;

    ZoDistRun(ZoTrainCommand.ZoOptions o, DistZoCliOptions dist, int threads, PrintWriter out) {
        this.o = o;
        this.dist = dist;
        this.threads = threads;
        this.out = out;
    }

    ZoRun.Result run() {
        o.validate();
        Path modelDir = ZoTrainCommand.modelDir(o.model).toAbsolutePath();
        Path ck = o.checkpoints().toAbsolutePath();
        if (Files.exists(ck.resolve("replay.log")) && !o.resume) throw new UserInputException(ck
                + " holds the replay log of an earlier distributed run: pass --resume to continue it, or choose another"
                + " --checkpoint-dir");
        Path start = o.resume ? dev.frugal.zo.ZoCheckpoint.latestVerified(ck).orElse(null) : null; // resumed checkpoint
        dev.frugal.zo.TrainerState state = start == null ? null : dev.frugal.zo.ZoCheckpoint.readState(start);
        long from = state == null ? 0 : state.completed(); // the first step here
        dev.frugal.zo.ZoRng rng = o.rng(Device.CPU);
        if (state != null) ZoRun.requireSameRun(o.seed, o.eps, o.lr, o.weightDecay, rng, state, start);
        if (o.resume && o.steps <= from)
            throw new dev.frugal.InvalidSettingException("--steps", "(" + o.steps + ") must exceed the " + from + " steps"
                    + " the latest checkpoint under " + ck + " has completed: --steps counts from the start of the run");
        long vocab;
        try (CausalLM m = Models.loadCausalLM(modelDir, Device.CPU)) {
            vocab = m.config().vocabSize();
        }
        Path tok = o.tokenizer != null ? o.tokenizer : modelDir.resolve("tokenizer.json");
        LmTextBatches data = new LmTextBatches(Path.of(o.data).toAbsolutePath().toString(),
                Files.isRegularFile(tok) ? tok.toAbsolutePath().toString() : null, o.seqLen, 0.1, vocab, o.batch, o.seed);
        LmTextData text = data.data();
        OffloadConfig off = o.offloadConfig();
        DistZoOptions opts = new DistZoOptions(dist.master(), dist.workers, dist.mode(), modelDir.toString(),
                ck.toString(), o.steps, o.checkpointEvery, o.eps, o.lr, o.weightDecay, o.seed, off.tier(),
                off.residentBlocks(), off.storageDtype().name(), off.diskDir() == null ? null : off.diskDir().toString(),
                threads, dist.sparkConf(), -1, dev.frugal.spark.ScalarTransport.DRIVER_RELAY, rng);
        out.printf("DistZO2 %s on %d workers (%s), z stream %s: %d train / %d eval sequences of %d tokens, global"
                        + " batch %d%n", opts.mode().cliName(), opts.workers(), dist.sparkMaster, CliEnums.spelling(rng),
                text.trainSequences(), text.evalSequences(), o.seqLen, o.batch);
        out.flush();
        double before = evalLoss(start != null ? start : modelDir, text.evalBatches(o.batch));
        out.printf("eval loss %s: %.4f%n", from == 0 ? "before" : "at the checkpoint (step " + from + ")", before);
        out.flush();
        DistZoResult r = DistZoTrainer.run(opts, data);
        // the result holds every step of the run, those before a resume too: one line per step, written afresh
        try (MetricsLog log = new MetricsLog(o.out.resolve("metrics.jsonl"), false)) {
            for (ZoStep s : r.history()) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("event", "step");
                f.put("step", s.step() + 1);
                f.put("loss", s.loss());
                f.put("projected_grad", s.projectedGradient());
                log.write(f);
            }
        }
        double after = evalLoss(r.finalCheckpoint(), text.evalBatches(o.batch));
        out.printf("eval loss after:  %.4f%n", after);
        ZoPlots.appendEval(o.out, o.steps - r.history().size(), Map.of("eval_loss", before));
        ZoPlots.appendEval(o.out, o.steps, Map.of("eval_loss", after));
        ZoPlots.write(o.out.resolve("metrics.jsonl"), o.out, ZoPlots.title(o) + ", DistZO2 " + opts.mode().cliName()
                + " on " + opts.workers() + " workers");
        out.printf("%d steps, %.3f s/step (rank 0), start-up %.1f s, %.0f bytes exchanged per step, replicas %s,"
                        + " stage attempt %d%s%n", r.history().size(), r.secondsPerStep(), r.setupSeconds(),
                r.bytesPerStep(), r.replicasIdentical() ? "bit-identical" : "DIFFER " + r.replicaDigests(),
                r.stageAttempt(), r.stageAttempt() > 0 ? " (resumed from step " + r.resumedFrom() + ", replayed to "
                        + r.replayedTo() + ")" : "");
        return new ZoRun.Result("lm", before, after, "eval loss", o.steps - from, r.secondsPerStep(), o.out, from);
    }

    private static double evalLoss(Path weights, List<LmBatch> batches) {
        try (CausalLM m = Models.loadCausalLM(weights, Device.CPU); Scope s = Scope.open()) {
            CausalLmObjective obj = new CausalLmObjective();
            double sum = 0;
            for (LmBatch b : batches) sum += obj.fullLoss(m, b).itemDouble();
            return sum / batches.size();
        }
    }
}
