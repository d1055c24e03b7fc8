package dev.frugal.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --json FILE} option of a bench (a picocli mixin): the JSON lines the bench prints are also appended to
 * {@code FILE}, so that runs can be collected in one file. {@link #append(Path, List)} serves the commands whose
 * {@code --json} says more about its content.
 */
final class JsonLinesOption {
    @Option(names = "--json", paramLabel = "FILE", description = "Also append the JSON line(s) to FILE.")
    Path file;

    /** Appends {@code lines} to {@code --json FILE}; nothing without {@code --json}. */
    void append(String... lines) {
        if (file != null) append(file, List.of(lines));
    }

    /**
     * Appends {@code lines}, one a line, to {@code file} (created with its parent directories when missing).
     *
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    static void append(Path file, List<String> lines) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.write(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write --json " + file + ": " + e.getMessage(), e);
        }
    }
}
