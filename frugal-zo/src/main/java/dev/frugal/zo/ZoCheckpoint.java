package dev.frugal.zo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.frugal.io.FileTrees;
import dev.frugal.io.FrugalIoException;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * ZO checkpoints: {@code DIR/step-NNNNNNNN/} holds a Hugging Face model directory ({@code config.json},
 * {@code model.safetensors}; extra head parameters named {@code frugal_head.*} in {@code frugal_head.safetensors})
 * and {@code trainer_state.json}. A checkpoint is written into a temporary directory, forced to disk and renamed into
 * place, then {@code DIR/latest} is replaced atomically: a crash leaves the previous checkpoint intact. Saving
 * refuses while an update is pending (flush first): a checkpoint never misses an update.
 */
public final class ZoCheckpoint {
    public static final String STATE = "trainer_state.json";
    public static final String HEAD = "frugal_head.safetensors";
    public static final String HEAD_PREFIX = "frugal_head.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ZoCheckpoint() {}

    /**
     * Writes one safetensors file tensor by tensor: {@link SafetensorsWriter#writeStreaming} (a seam for tests that
     * inject a failing disk).
     */
    @FunctionalInterface
    interface TensorFileWriter {
        void write(Path file, List<SafetensorsWriter.Entry> layout, Map<String, String> metadata,
                   java.util.function.Consumer<SafetensorsWriter.TensorSink> fill);
    }

    /** Writes a checkpoint of {@code model} (blocks read through {@code engine}) and returns its directory. */
    public static Path save(Path root, StagedModel model, ZoEngine<?> engine, TrainerState state) {
        return save(root, model, engine, state, SafetensorsWriter::writeStreaming);
    }

    /**
     * Writes a checkpoint through {@code writer}. Any failure (a full disk shows as an {@link IOException}, or as an
     * {@link InternalError} from a memory-mapped write) removes the partial temporary directory and throws a
     * {@link FrugalIoException} that names the last good checkpoint, which stays the one {@link #latest} returns.
     */
    static Path save(Path root, StagedModel model, ZoEngine<?> engine, TrainerState state, TensorFileWriter writer) {
        if (engine.hasPendingUpdate()) throw new IllegalStateException("refusing to checkpoint with an update pending:"
                + " call flush() first, or the checkpoint would miss step " + (state.completed() - 1) + "'s update");
        Path dir = root.resolve(String.format("step-%08d", state.completed()));
        Path tmp = root.resolve(".tmp-" + dir.getFileName());
        try (Scope s = Scope.open()) {
            Files.createDirectories(root);
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            // the layout first, from the engine; then each parameter written as the engine brings it in, so that no
            // copy of the model is ever whole in memory (a disk-tier model may not fit)
            List<SafetensorsWriter.Entry> base = new ArrayList<>(), head = new ArrayList<>();
            long bytes = 0;
            for (SafetensorsWriter.Entry e : engine.checkpointLayout(model)) {
                (e.name().startsWith(HEAD_PREFIX) ? head : base).add(e);
                bytes += Tensors.numel(e.shape()) * e.dtype().bytes();
            }
            long free = Files.getFileStore(root).getUsableSpace();
            if (free < bytes) throw new IOException("No space left on device: the checkpoint needs " + mb(bytes)
                    + " and " + mb(free) + " are free");
            model.config().source().writeTo(tmp);
            java.util.Set<String> headNames = new java.util.HashSet<>();
            for (SafetensorsWriter.Entry e : head) headNames.add(e.name());
            writer.write(tmp.resolve("model.safetensors"), base, Map.of("format", "pt"),
                    sink -> engine.writeParameters(model, new SafetensorsWriter.TensorSink() {
                        @Override
                        public void put(String n, Tensor t) { if (!headNames.contains(n)) sink.put(n, t); }

                        @Override
                        public void putPart(String n, long from, Tensor part) {
                            if (!headNames.contains(n)) sink.putPart(n, from, part);
                        }
                    }));
            if (!head.isEmpty()) writer.write(tmp.resolve(HEAD), head, Map.of("format", "pt"), sink -> {
                for (SafetensorsWriter.Entry e : head) sink.put(e.name(), model.parameter(e.name()));
            });
            writeDurably(tmp.resolve(STATE), JSON.writeValueAsBytes(state));
            fsync(tmp);
            FileTrees.delete(dir);
            move(tmp, dir);
            writeDurably(root.resolve("latest"), dir.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            return dir;
        } catch (IOException | UncheckedIOException | InternalError | FrugalIoException e) {
            try {
                FileTrees.delete(tmp);
            } catch (IOException ignored) {
                // reported below with the original failure
            }
            String kept = latest(root).map(d -> "the last good checkpoint " + d + " is kept (resuming continues from it)")
                    .orElse("no earlier checkpoint exists");
            throw new FrugalIoException("cannot write checkpoint " + dir + " (" + rootCause(e) + "); the partial files"
                    + " were removed and " + kept + ". Free disk space or choose another checkpoint directory", e);
        }
    }

    private static String mb(long bytes) { return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6); }

    private static String rootCause(Throwable e) {
        if (e instanceof InternalError) // SIGBUS on a memory-mapped write: the file could not grow
            return "the disk is probably full: a memory-mapped write failed with '" + e.getMessage() + "'";
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
    }

    /**
     * Deletes the oldest {@code step-*} checkpoints under {@code root} so that at most {@code keep} remain (as Hugging
     * Face's {@code save_total_limit}); the one {@code latest} points to is never deleted.
     *
     * @return the directories deleted
     */
    public static java.util.List<Path> prune(Path root, int keep) {
        if (keep < 1) throw new dev.frugal.InvalidSettingException("saveTotalLimit", "must be >= 1, got " + keep);
        try (Stream<Path> s = Files.list(root)) {
            Path current = latest(root).orElse(null);
            java.util.List<Path> steps = s.filter(d -> d.getFileName().toString().startsWith("step-") && Files.isDirectory(d))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            java.util.List<Path> deleted = new java.util.ArrayList<>();
            for (int i = 0; i < steps.size() - keep; i++) {
                if (steps.get(i).equals(current)) continue;
                FileTrees.delete(steps.get(i));
                deleted.add(steps.get(i));
            }
            return deleted;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune checkpoints under " + root, e);
        }
    }

    /**
     * The latest checkpoint, checked to be loadable: its state parses and its safetensors files are complete (the
     * header's extent matches the file). A damaged latest checkpoint is refused with a message naming the newest
     * intact earlier one.
     *
     * @throws FrugalIoException when the latest checkpoint is damaged
     */
    public static Optional<Path> latestVerified(Path root) {
        Optional<Path> last = latest(root);
        if (last.isEmpty()) return last;
        String problem = damage(last.get());
        if (problem == null) return last;
        Optional<Path> previous = listSteps(root).stream().filter(d -> !d.equals(last.get()))
                .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                .filter(d -> damage(d) == null).findFirst();
        throw new FrugalIoException("checkpoint " + last.get() + " is damaged (" + problem + "); " + previous
                .map(d -> "the previous checkpoint " + d + " is intact: delete " + last.get() + " (and the 'latest'"
                        + " file beside it) to resume from step " + readState(d).completed())
                .orElse("no intact earlier checkpoint exists: start afresh"));
    }

    /** Why checkpoint {@code dir} cannot be loaded, or null when it is complete. */
    static String damage(Path dir) {
        try {
            readState(dir);
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList())
                    try (dev.frugal.io.SafetensorsFile sf = dev.frugal.io.SafetensorsFile.open(f)) {
                        // opening checks the header and that the data fits the file
                    }
            }
            return null;
        } catch (RuntimeException | IOException e) {
            return e.getMessage();
        }
    }

    private static java.util.List<Path> listSteps(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(d -> d.getFileName().toString().startsWith("step-") && Files.isDirectory(d)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints under " + root, e);
        }
    }

    /** The directory of the latest complete checkpoint under {@code root}, if any. */
    public static Optional<Path> latest(Path root) {
        Path ptr = root.resolve("latest");
        try {
            if (Files.isRegularFile(ptr)) {
                Path d = root.resolve(Files.readString(ptr).trim());
                if (Files.isRegularFile(d.resolve(STATE))) return Optional.of(d);
            }
            if (!Files.isDirectory(root)) return Optional.empty();
            try (Stream<Path> s = Files.list(root)) { // pointer lost: take the newest complete one
                return s.filter(d -> d.getFileName().toString().startsWith("step-") && Files.isRegularFile(d.resolve(STATE)))
                        .max(Comparator.comparing(p -> p.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoints under " + root, e);
        }
    }

    /** Reads the trainer state of checkpoint {@code dir}. */
    public static TrainerState readState(Path dir) {
        try {
            return JSON.readValue(dir.resolve(STATE).toFile(), TrainerState.class);
        } catch (IOException | RuntimeException e) {
            throw new FrugalIoException(dir.resolve(STATE) + ": not a readable frugal ZO trainer state ("
                    + e.getMessage() + "); start afresh or choose another checkpoint directory", e);
        }
    }

    private static void writeDurably(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        move(tmp, target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsync(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    }

}
