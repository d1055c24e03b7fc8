package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends one JSON object per line to a metrics file ({@code metrics.jsonl}), flushed after every record. The schema
 * {@code zo train} and {@code dp train} share: every line has {@code event} ({@code config}, {@code step},
 * {@code eval}, {@code checkpoint}, {@code result}) and, except {@code config}, {@code step} (steps completed);
 * {@code step} lines carry the training {@code loss}, {@code eval} lines the held-out metric under its name
 * ({@code dev_accuracy}, {@code eval_loss}, {@code test_accuracy}, ...).
 */
final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;

    MetricsLog(Path file, boolean append) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            out = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metrics file " + file, e);
        }
    }

    Path file() { return file; }

    /** Writes {@code fields} (in order) as one line. */
    void write(Map<String, ?> fields) {
        ObjectNode n = JSON.createObjectNode();
        fields.forEach((k, v) -> n.set(k, JSON.valueToTree(v)));
        try {
            out.write(n.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics to " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing left to save
        }
    }

    /**
     * Removes the lines of steps after {@code completed} (a run killed between a checkpoint and its next one logged
     * steps that {@code --resume} runs again): every line whose {@code step} exceeds {@code completed} goes, the rest
     * stay in order. The file is replaced atomically; a missing file is left missing.
     */
    static void dropAfterStep(Path file, long completed) {
        if (!Files.isRegularFile(file)) return;
        try {
            java.util.List<String> keep = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) continue;
                com.fasterxml.jackson.databind.JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // a line cut short by the kill
                }
                if (n.has("step") && n.get("step").asLong() > completed) continue;
                keep.add(line);
            }
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, keep);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite metrics file " + file, e);
        }
    }

}
