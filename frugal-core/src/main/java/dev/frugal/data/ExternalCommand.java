package dev.frugal.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An external tool run by a data set installer ({@code npm}, {@code apt-get}, {@code dpkg-deb}, {@code mvn}).
 *
 * @param argv          program and arguments
 * @param workDir       working directory
 * @param timeout       the process is killed after this long
 * @param manualCommand what the user should run by hand when this step fails
 */
public record ExternalCommand(List<String> argv, Path workDir, Duration timeout, String manualCommand) {

    public ExternalCommand {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(manualCommand, "manualCommand");
    }

    /**
     * Runs the command and returns its combined output.
     *
     * @throws DatasetFetchException when the tool is not installed, fails, or times out; the message carries the
     *                               tool's last output lines and {@link #manualCommand()}
     */
    public String run() {
        String shown = String.join(" ", argv);
        Process p;
        try {
            p = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new DatasetFetchException("`" + argv.getFirst() + "` is not installed or not on PATH (" + shown
                    + ")", manualCommand, e);
        }
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes(); // the tools used here print little
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new DatasetFetchException("`" + shown + "` did not finish within " + timeout.toSeconds() + " s",
                        manualCommand, null);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new DatasetFetchException("`" + shown + "` failed with exit code " + p.exitValue()
                        + " (no network, or the package index is stale?):\n" + tail(text, 8), manualCommand, null);
            }
            return text;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new DatasetFetchException("`" + shown + "` could not be read: " + e.getMessage(), manualCommand, e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DatasetFetchException("interrupted while running `" + shown + "`", manualCommand, e);
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return "      " + String.join("\n      ", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
