package dev.frugal.cli;

import dev.frugal.model.CausalLM;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.zo.BatchSource;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.ClassBatch;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.NonFiniteLossException;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.TrainerState;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoCheckpoint;
import dev.frugal.zo.ZoHyperparameters;
import dev.frugal.zo.ZoObjective;
import dev.frugal.zo.ZoStep;
import dev.frugal.zo.ZoTrainer;
import dev.frugal.zo.tasks.LmTextData;
import dev.frugal.zo.tasks.MeanPoolObjective;
import dev.frugal.zo.tasks.SpamTask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/** One {@code zo train} run: model, task, engine, loop, metrics, plot and summary. */
final class ZoRun {
    /** What a run reports at the end. */
    record Result(String task, double before, double after, String metric, long steps, double secondsPerStep, Path out) {
        String summary() {
            return String.format("%s: %s before %.4f, after %.4f (%d steps, %.2f s/step); metrics, loss.png and"
                    + " checkpoints under %s", task, metric, before, after, steps, secondsPerStep, out);
        }
    }

    private final ZoTrainCommand.ZoOptions o;
    private final Device device;
    private final PrintWriter out;

    ZoRun(ZoTrainCommand.ZoOptions o, Device device, PrintWriter out) {
        this.o = o;
        this.device = device;
        this.out = out;
    }

    Result run() {
        Path modelDir = Progress.model(out, o.model);
        Path ckpt = null;
        TrainerState state = null;
        ZoHyperparameters hp = o.hyperparameters();
        OffloadConfig off = o.offloadConfig().on(device, DType.F32); // the working tier where the model runs
        if (o.resume) {
            ckpt = ZoCheckpoint.latest(o.checkpoints()).orElseThrow(() -> new IllegalArgumentException(
                    "--resume: no checkpoint under " + o.checkpoints() + " (run without --resume first)"));
            state = ZoCheckpoint.readState(ckpt);
            if (state.runSeed() != hp.seed() || state.eps() != hp.eps() || state.lr() != hp.lr())
                throw new IllegalArgumentException("--resume: " + ckpt + " was trained with --seed " + state.runSeed()
                        + " --eps " + state.eps() + " --lr " + state.lr() + "; pass the same values to continue its trajectory");
            out.printf("resuming from %s (step %d)%n", ckpt, state.completed());
        }
        Path weights = ckpt != null ? ckpt : modelDir;
        if (state == null) state = ZoTrainer.fresh(hp, off);
        return switch (o.task) {
            case spam -> spam(modelDir, weights, ckpt, hp, off, state);
            case lm -> lm(modelDir, weights, hp, off, state);
        };
    }

    private Result spam(Path modelDir, Path weights, Path ckpt, ZoHyperparameters hp, OffloadConfig off, TrainerState state) {
        var split = ZoTrainCommand.spamSplit(o.data);
        try (MeanPoolClassifierHolder h = new MeanPoolClassifierHolder(Models.loadEncoder(weights, device));
             SpamTask task = new SpamTask(split, modelDir.resolve("tokenizer.json"),
                     new SpamTask.Options(o.seqLen, o.batch, 16), device);
             Zo2Engine<ClassBatch> engine = new Zo2Engine<>(h.model, new MeanPoolObjective(), hp, off)) {
            out.printf("spam: %d train / %d dev / %d test emails, %s, offload %s (K=%d, %s storage)%n",
                    split.train().size(), split.dev().size(), split.test().size(), modelDir, off.tier(),
                    off.residentBlocks(), off.storageDtype());
            if (ckpt != null) ZoTrainCommand.loadHead(h.model, ckpt);
            else if (o.headInit == ZoTrainCommand.HeadInit.prototype)
                Progress.timed(out, "initialising the head from class prototypes of " + split.train().size()
                        + " training emails", () -> task.initHead(h.model, engine));
            SpamTask.Evaluation before = Progress.timed(out, "evaluating on " + split.test().size() + " test emails",
                    () -> task.evaluate(h.model, engine, split.test()));
            out.printf("test accuracy before fine-tuning: %.4f (loss %.4f)%n", before.accuracy(), before.loss());
            out.flush();
            long from = state.completed();
            double secs = loop(h.model, engine, task.trainBatches(hp.seed()),
                    () -> task.evaluate(h.model, engine, split.dev()).accuracy(), "dev_accuracy", state);
            SpamTask.Evaluation after = Progress.timed(out, "evaluating on " + split.test().size() + " test emails",
                    () -> task.evaluate(h.model, engine, split.test()));
            ZoPlots.appendEval(o.out, from, Map.of("test_accuracy", before.accuracy(), "test_loss", before.loss()));
            ZoPlots.appendEval(o.out, o.steps, Map.of("test_accuracy", after.accuracy(), "test_loss", after.loss()));
            plots();
            out.printf("test accuracy after fine-tuning:  %.4f (loss %.4f), precision %.4f, recall %.4f%n",
                    after.accuracy(), after.loss(), after.precision(), after.recall());
            out.printf("confusion [truth][pred]: ham %s, spam %s%n", java.util.Arrays.toString(after.confusion()[0]),
                    java.util.Arrays.toString(after.confusion()[1]));
            return new Result("spam", before.accuracy(), after.accuracy(), "test accuracy", o.steps, secs, o.out);
        }
    }

    /** Closes the encoder with the classifier. */
    private static final class MeanPoolClassifierHolder implements AutoCloseable {
        final MeanPoolClassifier model;

        MeanPoolClassifierHolder(dev.frugal.model.EncoderModel enc) { model = new MeanPoolClassifier(enc, 2); }

        @Override
        public void close() { model.close(); }
    }

    private Result lm(Path modelDir, Path weights, ZoHyperparameters hp, OffloadConfig off, TrainerState state) {
        if (o.data == null) throw new IllegalArgumentException("--task lm needs --data FILE (.txt, or .jsonl with \"text\" or \"input_ids\")");
        try (CausalLM model = Models.loadCausalLM(weights, device)) {
            Path tok = o.tokenizer != null ? o.tokenizer : modelDir.resolve("tokenizer.json");
            LmTextData data = LmTextData.read(Path.of(o.data), tok, o.seqLen, 0.1, model.config().vocabSize(), device);
            List<LmBatch> eval = data.evalBatches(o.batch);
            CausalLmObjective obj = new CausalLmObjective();
            try (Zo2Engine<LmBatch> engine = new Zo2Engine<>(model, obj, hp, off)) {
                out.printf("lm: %d train / %d eval sequences of %d tokens, %s, offload %s (K=%d, %s storage)%n",
                        data.trainSequences(), data.evalSequences(), o.seqLen, modelDir, off.tier(), off.residentBlocks(),
                        off.storageDtype());
                double before = Progress.timed(out, "evaluating on " + eval.size() + " batches",
                        () -> evalLoss(engine, obj, model, eval));
                long from = state.completed();
                out.printf("eval loss before: %.4f%n", before);
                double secs = loop(model, engine, data.trainBatches(o.batch, hp.seed()),
                        () -> evalLoss(engine, obj, model, eval), "eval_loss", state);
                double after = Progress.timed(out, "evaluating on " + eval.size() + " batches",
                        () -> evalLoss(engine, obj, model, eval));
                ZoPlots.appendEval(o.out, from, Map.of("eval_loss", before));
                out.printf("eval loss after:  %.4f%n", after);
                plots();
                return new Result("lm", before, after, "eval loss", o.steps, secs, o.out);
            }
        }
    }

    private static <B> double evalLoss(Zo2Engine<B> engine, ZoObjective<B> obj, StagedModel model, List<B> batches) {
        List<Double> l = engine.forwardMany(batches, (h, b, ctx) -> obj.loss(model, h, b, ctx).itemDouble());
        return l.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The training loop with progress bar, metrics and plot; returns the median seconds per step. */
    private <B> double loop(StagedModel model, Zo2Engine<B> engine, BatchSource<B> data, ZoTrainer.Evaluator eval,
                            String evalName, TrainerState from) {
        List<Double> stepSecs = new ArrayList<>();
        try (MetricsLog metrics = new MetricsLog(o.out.resolve("metrics.jsonl"), o.resume);
             ProgressBar bar = o.noProgress || o.steps == 0 ? null : Progress.bar("zo " + o.task, o.steps, "steps")) {
            if (bar != null) bar.stepTo(from.completed());
            ZoTrainer.Listener listener = new ZoTrainer.Listener() {
                @Override
                public void onStep(ZoStep s, double seconds) {
                    stepSecs.add(seconds);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("step", s.step() + 1);
                    m.put("loss", s.loss());
                    m.put("loss_plus", s.lossPlus());
                    m.put("loss_minus", s.lossMinus());
                    m.put("projected_grad", s.projectedGradient());
                    m.put("seed", s.seed());
                    m.put("step_s", seconds);
                    m.put("rss_mb", MetricsLog.residentMb());
                    metrics.write(m);
                    if (bar != null) {
                        bar.stepTo(s.step() + 1);
                        bar.setExtraMessage(String.format("loss %.4f  %.2f s/step  RSS %.0f MB", s.loss(), seconds,
                                MetricsLog.residentMb()));
                    }
                }

                @Override
                public void onEval(long completed, double value) {
                    metrics.write(Map.of("step", completed, evalName, value));
                }

                @Override
                public void onCheckpoint(Path dir) { metrics.write(Map.of("checkpoint", dir.toString())); }
            };
            ZoTrainer<B> trainer = new ZoTrainer<>(model, engine, data,
                    new ZoTrainer.Settings(o.steps, o.evalEvery, o.checkpointEvery, o.checkpoints()), eval, listener);
            try {
                trainer.run(from);
            } catch (NonFiniteLossException e) {
                if (bar != null) bar.close();
                out.printf("stopped: latest good checkpoint: %s%n",
                        ZoCheckpoint.latest(o.checkpoints()).map(Path::toString).orElse("none"));
                throw e;
            }
        }
        List<Double> sorted = new ArrayList<>(stepSecs);
        sorted.sort(Double::compare);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    /** loss.png and the held-out charts, from the whole metrics.jsonl (steps before a resume included). */
    private void plots() { ZoPlots.write(o.out.resolve("metrics.jsonl"), o.out, ZoPlots.title(o)); }
}
