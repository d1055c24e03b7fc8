package dev.frugal.cli;

import dev.frugal.tensor.PeakRss;
import dev.frugal.InvalidSettingException;
import dev.frugal.UserInputException;
import dev.frugal.model.CausalLM;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.zo.BatchSource;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.ClassBatch;
import dev.frugal.zo.DiskStreamEngine;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.NonFiniteLossException;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.TrainerState;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoCheckpoint;
import dev.frugal.zo.ZoEngine;
import dev.frugal.zo.ZoHyperparameters;
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
    /**
     * What a run reports at the end.
     *
     * @param before   the metric before this run's first step: of the model as loaded, or of the checkpoint resumed
     * @param steps    steps this run made (not counting those before the checkpoint it resumed)
     * @param fromStep the step this run started at (0, or the resumed checkpoint's)
     */
    record Result(String task, double before, double after, String metric, long steps, double secondsPerStep, Path out,
                  long fromStep) {
        String summary() {
            return String.format("%s: %s %s %.4f, after %.4f (%d step%s, %.2f s/step); metrics, loss.png and"
                            + " checkpoints under %s", task, metric, fromStep == 0 ? "before" : "at step " + fromStep,
                    before, after, steps, steps == 1 ? "" : "s", secondsPerStep, out);
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
        o.validate(); // every option, before anything is loaded or written
        ZoHyperparameters hp = o.hyperparameters(device);
        OffloadConfig off = o.offloadConfig().on(device, DType.F32); // the working tier where the model runs
        Path modelDir = Progress.model(out, o.model);
        Path ckpt = null;
        TrainerState state = null;
        if (o.resume) {
            ckpt = ZoCheckpoint.latestVerified(o.checkpoints()).orElseThrow(() -> new UserInputException(
                    "--resume: no checkpoint under " + o.checkpoints() + " (run without --resume first)"));
            state = ZoCheckpoint.readState(ckpt);
            requireSameRun(hp.seed(), hp.eps(), hp.lr(), hp.weightDecay(), hp.rng(), state, ckpt);
            if (!state.tunedParameters().equals(hp.tuned()))
                throw new InvalidSettingException("--tune", "(" + hp.tuned() + ") differs from the " + state.tuned()
                        + " that " + ckpt + " was trained with; pass --tune " + state.tuned() + " to continue its trajectory");
            if (state.samples() != hp.samples())
                throw new InvalidSettingException("--spsa-samples", "(" + hp.samples() + ") differs from the "
                        + state.samples() + " that " + ckpt + " was trained with; pass --spsa-samples " + state.samples()
                        + " to continue its trajectory");
            if (o.steps <= state.completed())
                throw new InvalidSettingException("--steps", "(" + o.steps + ") must exceed the " + state.completed()
                        + " steps the checkpoint " + ckpt.getFileName() + " has completed: --steps counts from the start"
                        + " of the run, so pass --steps " + (state.completed() + o.steps) + " to train " + o.steps + " more");
            out.printf("resuming from %s (step %d of %d)%n", ckpt, state.completed(), o.steps);
        }
        Path weights = ckpt != null ? ckpt : modelDir;
        if (state == null) state = ZoTrainer.fresh(hp, off);
        return switch (o.task) {
            case spam -> spam(modelDir, weights, ckpt, hp, off, state);
            case lm -> lm(modelDir, weights, hp, off, state);
        };
    }

    /** Checks the model-dependent options against the loaded model: --resident-blocks, --seq-len. */
    private void checkAgainst(StagedModel model, Path modelDir) {
        int blocks = model.blockParams().size();
        if (o.residentBlocks > blocks && o.offload != dev.frugal.zo.OffloadTier.NONE)
            throw new InvalidSettingException("--resident-blocks", "(" + o.residentBlocks + ") exceeds the " + blocks
                    + " blocks of " + modelDir.getFileName() + ": choose 1.." + blocks + ", or --offload none");
        if (o.tune instanceof dev.frugal.zo.TunedParameters.HeadAndTopBlocks(int top) && top > blocks)
            throw new InvalidSettingException("--tune", "(" + o.tune + ") exceeds the " + blocks + " blocks of "
                    + modelDir.getFileName() + ": choose head+top1..head+top" + blocks);
        int ctx = model.config().maxPositions();
        if (o.seqLen > ctx) throw new InvalidSettingException("--seq-len", "(" + o.seqLen + ") exceeds the " + ctx
                + " positions of " + modelDir.getFileName() + "'s context: choose at most " + ctx);
    }

    /** The "before" label: the model as loaded, or the checkpoint's. */
    private static String beforeLabel(TrainerState from) {
        return from.completed() == 0 ? "before fine-tuning" : "at the checkpoint (step " + from.completed() + ")";
    }

    private Result spam(Path modelDir, Path weights, Path ckpt, ZoHyperparameters hp, OffloadConfig off, TrainerState state) {
        var split = ZoTrainCommand.spamSplit(o.data);
        if (o.batch > split.train().size()) throw new InvalidSettingException("--batch", "(" + o.batch + ") exceeds the "
                + split.train().size() + " training emails of " + (o.data == null ? "spam-small" : o.data)
                + ": choose at most " + split.train().size());
        try (MeanPoolClassifierHolder h = new MeanPoolClassifierHolder(Models.loadEncoder(weights, device))) {
            checkAgainst(h.model, modelDir);
            return spam(h, split, modelDir, ckpt, hp, off, state);
        }
    }

    private Result spam(MeanPoolClassifierHolder h, dev.frugal.data.Split<dev.frugal.data.SpamEmail> split, Path modelDir,
                        Path ckpt, ZoHyperparameters hp, OffloadConfig off, TrainerState state) {
        try (SpamTask task = new SpamTask(split, modelDir.resolve("tokenizer.json"),
                     new SpamTask.Options(o.seqLen, o.batch, 16), device);
             Zo2Engine<ClassBatch> engine = new Zo2Engine<>(h.model, new MeanPoolObjective(), hp, off)) {
            out.printf("spam: %d train / %d dev / %d test emails, %s, offload %s (K=%d, %s storage), tuning %s%n",
                    split.train().size(), split.dev().size(), split.test().size(), modelDir, off.tier(),
                    off.residentBlocks(), off.storageDtype(), hp.tuned());
            if (ckpt != null) ZoTrainCommand.loadHead(h.model, ckpt);
            else if (o.headInit == ZoTrainCommand.HeadInit.prototype)
                Progress.timed(out, "initialising the head from class prototypes of " + split.train().size()
                        + " training emails", () -> task.initHead(h.model, engine));
            SpamTask.Evaluation before = Progress.timed(out, "evaluating on " + split.test().size() + " test emails",
                    () -> task.evaluate(h.model, engine, split.test()));
            out.printf("test accuracy %s: %.4f (loss %.4f)%n", beforeLabel(state), before.accuracy(), before.loss());
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
            return new Result("spam", before.accuracy(), after.accuracy(), "test accuracy", o.steps - state.completed(),
                    secs, o.out, state.completed());
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
        // offloaded on the CPU: the blocks go from the checkpoint into the tier one at a time, so a model larger than
        // memory can be trained; in memory (or on a GPU) the model is loaded whole
        if (o.streamAll && device.isCuda()) throw new InvalidSettingException("--stream-all", "runs on the CPU: drop"
                + " --device " + device);
        boolean streamed = off.tier() != dev.frugal.zo.OffloadTier.NONE && !device.isCuda();
        // every parameter on disk is for the least memory: freed buffers go back to the system (the engine would
        // otherwise keep them for reuse; on an OPT-1.3B shape that held 3.1 GB at the peak against 1.5 GB)
        if (o.streamAll) dev.frugal.tensor.NativeMemory.returnFreedMemory();
        Models.Streamed st = streamed ? Models.loadCausalLMStreaming(weights) : null;
        try (CausalLM model = streamed ? st.model() : Models.loadCausalLM(weights, device);
             dev.frugal.model.BlockSource blocks = streamed ? st.blocks() : null) {
            checkAgainst(model, modelDir);
            Path tok = o.tokenizer != null ? o.tokenizer : modelDir.resolve("tokenizer.json");
            if (!java.nio.file.Files.isRegularFile(tok) && !o.data.endsWith(".jsonl") && !o.data.endsWith(".json"))
                throw new InvalidSettingException("--tokenizer", "FILE is needed: " + modelDir + " has no tokenizer.json"
                        + " to encode " + o.data + " (or give JSON lines with \"input_ids\")");
            LmTextData data = LmTextData.read(Path.of(o.data), tok, o.seqLen, 0.1, model.config().vocabSize(), device);
            List<LmBatch> eval = data.evalBatches(o.batch);
            BatchSource<LmBatch> train = data.trainBatches(o.batch, hp.seed()); // refuses a batch beyond the data
            CausalLmObjective obj = new CausalLmObjective();
            try (ZoEngine<LmBatch> engine = o.streamAll ? new DiskStreamEngine(model, blocks, hp, off.storageDtype(),
                    off.diskDir()) : streamed ? Zo2Engine.streaming(model, blocks, obj, hp, off)
                    : new Zo2Engine<>(model, obj, hp, off)) {
                out.printf("lm: %d train / %d eval sequences of %d tokens, %s, offload %s (%s, %s storage%s), tuning %s%n",
                        data.trainSequences(), data.evalSequences(), o.seqLen, modelDir, off.tier(),
                        o.streamAll ? "every parameter on disk" : "K=" + off.residentBlocks(), off.storageDtype(),
                        streamed ? ", blocks streamed from the checkpoint" : "", hp.tuned());
                ZoTrainer.Evaluator evaluate = () -> engine.meanLoss(eval);
                double before = Progress.timed(out, "evaluating on " + eval.size() + " batches", evaluate::evaluate);
                long from = state.completed();
                out.printf("eval loss %s: %.4f%n", beforeLabel(state), before);
                double secs = loop(model, engine, train, evaluate, "eval_loss", state);
                double after = Progress.timed(out, "evaluating on " + eval.size() + " batches", evaluate::evaluate);
                ZoPlots.appendEval(o.out, from, Map.of("eval_loss", before));
                out.printf("eval loss after:  %.4f%n", after);
                plots();
                return new Result("lm", before, after, "eval loss", o.steps - state.completed(), secs, o.out,
                        state.completed());
            }
        }
    }

    /** The training loop with progress bar, metrics and plot; returns the median seconds per step. */
    private <B> double loop(StagedModel model, ZoEngine<B> engine, BatchSource<B> data, ZoTrainer.Evaluator eval,
                            String evalName, TrainerState from) {
        List<Double> stepSecs = new ArrayList<>();
        Path metricsFile = o.out.resolve("metrics.jsonl");
        if (o.resume) MetricsLog.dropAfterStep(metricsFile, from.completed()); // steps after the checkpoint are rerun
        try (MetricsLog metrics = new MetricsLog(metricsFile, o.resume);
             ProgressBar bar = o.progress.bar("zo " + o.task, o.steps, "steps")) {
            if (bar != null) bar.stepTo(from.completed());
            ZoTrainer.Listener listener = new ZoTrainer.Listener() {
                @Override
                public void onStep(ZoStep s, double seconds) {
                    stepSecs.add(seconds);
                    metrics.write(zoStepLine(s, seconds));
                    showStep(bar, s, seconds);
                }

                @Override
                public void onEval(long completed, double value) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("event", "eval");
                    m.put("step", completed);
                    m.put(evalName, value);
                    metrics.write(m);
                }

                @Override
                public void onCheckpoint(Path dir) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("event", "checkpoint");
                    m.put("step", ZoCheckpoint.readState(dir).completed());
                    m.put("checkpoint", dir.toString());
                    metrics.write(m);
                }
            };
            ZoTrainer<B> trainer = new ZoTrainer<>(model, engine, data, o.loopSettings(), eval, listener);
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

    /** Moves {@code bar} (null: none shown) past step {@code s}, with its loss, time and RSS (zo train and the quickstart). */
    static void showStep(ProgressBar bar, ZoStep s, double seconds) {
        if (bar == null) return;
        bar.stepTo(s.step() + 1);
        bar.setExtraMessage(String.format("loss %.4f  %.2f s/step  RSS %.0f MB", s.loss(), seconds, PeakRss.currentMb()));
    }

    /** One {@code "event": "step"} line of a ZO run's metrics.jsonl (zo train and the quickstart). */
    static Map<String, Object> zoStepLine(ZoStep s, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "step");
        m.put("step", s.step() + 1);
        m.put("loss", s.loss());
        m.put("loss_plus", s.lossPlus());
        m.put("loss_minus", s.lossMinus());
        m.put("projected_grad", s.projectedGradient());
        if (s.samples() > 1) { // n-SPSA: the losses and projected_grad above are means over the n perturbations
            m.put("spsa_samples", s.samples());
            m.put("projected_grads", s.sampleGradients());
        }
        m.put("seed", s.seed());
        m.put("step_s", seconds);
        m.put("rss_mb", PeakRss.currentMb());
        return m;
    }

    /** loss.png and the held-out charts, from the whole metrics.jsonl (steps before a resume included). */
    private void plots() { ZoPlots.write(o.out.resolve("metrics.jsonl"), o.out, ZoPlots.title(o)); }

    /**
     * Refuses to resume checkpoint {@code ckpt} (whose state is {@code state}) with another seed, ε, learning rate,
     * weight decay or z stream than it was trained with: any of them gives another trajectory. One check for the
     * single-process and the distributed ({@code --spark-master}) run.
     */
    static void requireSameRun(long seed, double eps, double lr, double weightDecay, dev.frugal.zo.ZoRng rng,
                               TrainerState state, Path ckpt) {
        if (state.runSeed() != seed || state.eps() != eps || state.lr() != lr || state.weightDecay() != weightDecay)
            throw new UserInputException("--resume: " + ckpt + " was trained with --seed " + state.runSeed() + " --eps "
                    + state.eps() + " --lr " + state.lr() + " --weight-decay " + state.weightDecay()
                    + "; pass the same values to continue its trajectory");
        if (state.rng() != rng)
            throw new InvalidSettingException("--rng", "(" + CliEnums.spelling(rng) + ") differs from the z"
                    + " stream of " + ckpt + ": pass --rng " + CliEnums.spelling(state.rng()) + " to continue its trajectory");
    }
}
