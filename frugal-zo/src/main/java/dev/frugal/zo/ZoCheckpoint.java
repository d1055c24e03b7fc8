package dev.frugal.zo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.frugal.io.FrugalIoException;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
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

    /** Writes a checkpoint of {@code model} (blocks read through {@code engine}) and returns its directory. */
    public static Path save(Path root, StagedModel model, Zo2Engine<?> engine, TrainerState state) {
        if (engine.hasPendingUpdate()) throw new IllegalStateException("refusing to checkpoint with an update pending:"
                + " call flush() first, or the checkpoint would miss step " + (state.completed() - 1) + "'s update");
        Path dir = root.resolve(String.format("step-%08d", state.completed()));
        Path tmp = root.resolve(".tmp-" + dir.getFileName());
        try (Scope s = Scope.open()) {
            Files.createDirectories(root);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Map<String, Tensor> all = new LinkedHashMap<>(); // block copies outlive each block's scope: kept, closed below
            engine.forEachBlock((i, w) -> w.forEach((n, t) -> all.put(n, t.cloneTensor().keep())));
            Map<String, Tensor> base = new LinkedHashMap<>(), head = new LinkedHashMap<>();
            for (String n : model.parameterNames()) {
                Tensor t = all.containsKey(n) ? all.get(n) : model.parameter(n);
                (n.startsWith(HEAD_PREFIX) ? head : base).put(n, t);
            }
            model.config().source().writeTo(tmp);
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), base, Map.of("format", "pt"));
            if (!head.isEmpty()) SafetensorsWriter.write(tmp.resolve(HEAD), head, Map.of("format", "pt"));
            all.values().forEach(Tensor::close);
            writeDurably(tmp.resolve(STATE), JSON.writeValueAsBytes(state));
            fsync(tmp);
            deleteTree(dir);
            move(tmp, dir);
            writeDurably(root.resolve("latest"), dir.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint under " + root, e);
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
                    + e.getMessage() + "); start without --resume or point --checkpoint-dir elsewhere", e);
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

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
