package dev.frugal.cli;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.spark.DistZoCliOptions;
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
        if (o.task != ZoTrainCommand.Task.lm) throw new IllegalArgumentException("--spark-master trains --task lm;"
                + " the spam task runs in one process (drop --spark-master)");
        if (o.data == null) throw new IllegalArgumentException("--task lm needs --data FILE (.txt, or .jsonl with"
                + " \"text\" or \"input_ids\"), reachable under the same path on every worker");
        Path modelDir = ZoTrainCommand.modelDir(o.model).toAbsolutePath();
        Path ck = o.checkpoints().toAbsolutePath();
        if (Files.exists(ck.resolve("replay.log")) && !o.resume) throw new IllegalArgumentException(ck
                + " holds the replay log of an earlier distributed run: pass --resume to continue it, or choose another"
                + " --checkpoint-dir");
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
                threads, dist.sparkConf(), -1, dev.frugal.spark.ScalarTransport.DRIVER_RELAY);
        out.printf("DistZO2 %s on %d workers (%s): %d train / %d eval sequences of %d tokens, global batch %d%n",
                opts.mode().cliName(), opts.workers(), dist.sparkMaster, text.trainSequences(), text.evalSequences(),
                o.seqLen, o.batch);
        out.flush();
        double before = evalLoss(modelDir, text.evalBatches(o.batch));
        out.printf("eval loss before: %.4f%n", before);
        out.flush();
        DistZoResult r = DistZoTrainer.run(opts, data);
        try (MetricsLog log = new MetricsLog(o.out.resolve("metrics.jsonl"), o.resume)) {
            for (ZoStep s : r.history()) {
                Map<String, Object> f = new LinkedHashMap<>();
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
        return new ZoRun.Result("lm", before, after, "eval loss", o.steps, r.secondsPerStep(), o.out);
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
