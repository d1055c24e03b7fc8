package dev.frugal.cli;

import dev.frugal.dp.tasks.DpTask;
import dev.frugal.dp.tasks.PrivateTraining;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON-lines metrics of a {@code frugal dp train} run, in the schema {@code zo train} writes too (see
 * {@link MetricsLog}): every line has {@code event}; {@code step} lines carry {@code step} and {@code loss}, {@code eval}
 * lines {@code step} and the held-out metrics; {@code config} comes first and {@code result} last.
 */
final class DpMetrics implements AutoCloseable {
    private final MetricsLog log;

    DpMetrics(Path dir) { log = new MetricsLog(dir.resolve("metrics.jsonl"), false); }

    private static Object num(double v) { return Double.isFinite(v) ? v : null; }

    void config(String task, PrivateTraining.Plan p, double clip, double delta, long seed, boolean seeded) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "config");
        m.put("system", "dp");
        m.put("task", task);
        m.put("sample_rate", p.sampleRate());
        m.put("steps", p.steps());
        m.put("noise_multiplier", p.sigma());
        m.put("clip", clip);
        m.put("clipping", p.clipping().mode().name());
        m.put("algorithm", p.clipping().algorithm().name());
        m.put("delta", delta);
        m.put("seed", seeded ? seed : null);
        log.write(m);
    }

    void step(PrivateTraining.StepReport s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "step");
        m.put("step", s.step());
        m.put("loss", num(s.meanLoss()));
        m.put("epoch", s.epoch());
        m.put("epsilon", num(s.epsilon()));
        m.put("batch", s.batchSize());
        log.write(m);
    }

    void eval(int epoch, long step, double eps, DpTask.Evaluation e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "eval");
        m.put("step", step);
        m.put("epoch", epoch);
        m.put("epsilon", num(eps));
        m.put("test_accuracy", num(e.accuracy()));
        m.put("test_loss", num(e.loss()));
        m.put("examples", e.examples());
        log.write(m);
    }

    void result(PrivateTraining.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "result");
        m.put("step", r.steps());
        m.put("epsilon", num(r.epsilon()));
        m.put("delta", r.delta());
        m.put("test_accuracy", num(r.finalEvaluation().accuracy()));
        m.put("test_loss", num(r.finalEvaluation().loss()));
        m.put("majority_baseline", num(r.majorityBaseline()));
        m.put("steps", r.steps());
        log.write(m);
    }

    Path file() { return log.file(); }

    @Override
    public void close() { log.close(); }
}
