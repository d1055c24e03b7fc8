package dev.frugal.cli;

import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Option;

/**
 * The {@code --no-progress} option of a command that shows a progress bar (a picocli mixin): the bar of
 * {@link Progress#bar}, or none with {@code --no-progress} (e.g. in logs) or when there is nothing to count.
 */
final class ProgressOption {
    @Option(names = "--no-progress", description = "No progress bar (e.g. in logs).")
    boolean off;

    /** Whether a bar is shown. */
    boolean shown() { return !off; }

    /** A fixed-width bar over {@code max} units, or {@code null} with {@code --no-progress} or when {@code max} is 0. */
    ProgressBar bar(String task, long max, String unit) { return off || max == 0 ? null : Progress.bar(task, max, unit); }
}
