package dev.frugal.cli;

import dev.frugal.fewshot.EpisodeResult;
import dev.frugal.fewshot.EpisodeSetup;
import dev.frugal.fewshot.FewShotEvaluator;
import dev.frugal.fewshot.FewShotExperiment;
import dev.frugal.fewshot.MethodName;
import dev.frugal.fewshot.Summary;
import dev.frugal.vision.ImageSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/** Runs one (method, target, shots) cell of a few-shot table with a progress bar and per-episode metrics. */
final class FewshotCells {
    private FewshotCells() {}

    /** One row of a result table. */
    record Cell(String method, String target, int shots, Summary summary) {}

    static Cell run(FewShotEvaluator ev, MethodName method, String label, ImageSet target, EpisodeSetup setup, MetricsLog log) {
        List<EpisodeResult> rs;
        String task = String.format(Locale.ROOT, "%-9s %-8s %d-shot", label, target.name(), setup.shots());
        try (ProgressBar bar = FewshotEvalCommand.bar(task, setup.episodes())) {
            double[] sum = {0};
            rs = FewShotExperiment.run(ev, method, target, setup, (done, r) -> {
                sum[0] += r.accuracy();
                bar.stepTo(done);
                bar.setExtraMessage(String.format(Locale.ROOT, "acc %.3f", sum[0] / done));
                if (log != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("method", label);
                    m.put("target", target.name());
                    m.put("shots", setup.shots());
                    m.put("episode", r.index());
                    m.put("acc", r.accuracy());
                    m.put("align_ms", r.alignMillis());
                    log.write(m);
                }
            });
        }
        Summary s = Summary.of(rs);
        if (log != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("summary", true);
            m.put("method", label);
            m.put("target", target.name());
            m.put("shots", setup.shots());
            m.put("episodes", s.episodes());
            m.put("acc", s.mean());
            m.put("ci", s.ci95());
            m.put("align_ms", s.alignMillisMean());
            log.write(m);
        }
        return new Cell(label, target.name(), setup.shots(), s);
    }

    /** A cell from results computed elsewhere (Spark executors): per-episode and summary metrics as {@link #run}. */
    static Cell of(String label, String target, int shots, List<EpisodeResult> rs, MetricsLog log) {
        for (EpisodeResult r : rs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", label);
            m.put("target", target);
            m.put("shots", shots);
            m.put("episode", r.index());
            m.put("acc", r.accuracy());
            m.put("align_ms", r.alignMillis());
            log.write(m);
        }
        Summary s = Summary.of(rs);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("summary", true);
        m.put("method", label);
        m.put("target", target);
        m.put("shots", shots);
        m.put("episodes", s.episodes());
        m.put("acc", s.mean());
        m.put("ci", s.ci95());
        m.put("align_ms", s.alignMillisMean());
        m.put("spark", true);
        log.write(m);
        return new Cell(label, target, shots, s);
    }

    /** Peak resident set size of this process in MiB (Linux VmHWM), or -1. */
    static double peakRssMb() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024.0;
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
