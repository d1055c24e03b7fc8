package dev.frugal.cli;

import dev.frugal.dp.ClippingConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** JSON-lines metrics of a {@code frugal dp train} run: one object per line (config, steps, evaluations, result). */
final class DpMetrics implements AutoCloseable {
    private final BufferedWriter w;

    private DpMetrics(BufferedWriter w) { this.w = w; }

    static DpMetrics open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new DpMetrics(Files.newBufferedWriter(dir.resolve("metrics.jsonl")));
    }

    private void line(String json) {
        try {
            w.write(json);
            w.newLine();
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String num(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null"; }

    private static String str(String s) { return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"'; }

    void config(String task, double q, long steps, double sigma, double clip, ClippingConfig c, double delta, long seed,
                boolean seeded) {
        line("{\"event\":\"config\",\"task\":" + str(task) + ",\"sample_rate\":" + num(q) + ",\"steps\":" + steps
                + ",\"noise_multiplier\":" + num(sigma) + ",\"clip\":" + num(clip) + ",\"clipping\":" + str(c.mode().name())
                + ",\"algorithm\":" + str(c.algorithm().name()) + ",\"delta\":" + num(delta)
                + ",\"seed\":" + (seeded ? Long.toString(seed) : "null") + "}");
    }

    void step(long step, int epoch, double eps, long batch, double loss) {
        line("{\"event\":\"step\",\"step\":" + step + ",\"epoch\":" + epoch + ",\"epsilon\":" + num(eps) + ",\"batch\":"
                + batch + ",\"train_loss\":" + num(loss) + "}");
    }

    void eval(int epoch, long step, double eps, DpTask.Evaluation e) {
        line("{\"event\":\"eval\",\"epoch\":" + epoch + ",\"step\":" + step + ",\"epsilon\":" + num(eps)
                + ",\"test_accuracy\":" + num(e.accuracy()) + ",\"test_loss\":" + num(e.loss()) + ",\"examples\":"
                + e.examples() + "}");
    }

    void result(double eps, double delta, DpTask.Evaluation e, double majority, long steps) {
        line("{\"event\":\"result\",\"epsilon\":" + num(eps) + ",\"delta\":" + num(delta) + ",\"test_accuracy\":"
                + num(e.accuracy()) + ",\"test_loss\":" + num(e.loss()) + ",\"majority_baseline\":" + num(majority)
                + ",\"steps\":" + steps + "}");
    }

    @Override
    public void close() throws IOException { w.close(); }
}
