package dev.frugal.interp;

import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The decoder fixtures circuit discovery is checked on: every directory with a config.json whose {@code model_type} is
 * a decoder frugal implements, under the shared root ({@code -Dfrugal.fixtures}) and the committed variants
 * ({@code -Dfrugal.fixtures.variants}). A root that is missing fails the test instead of shrinking it.
 */
final class DecoderFixtures {
    private DecoderFixtures() {}

    static List<Path> all() {
        List<Path> out = new ArrayList<>();
        out.addAll(under(root("frugal.fixtures", "../../shared/fixtures/hf-tiny")));
        out.addAll(under(root("frugal.fixtures.variants", "../fixtures/hf-variants")));
        if (out.isEmpty()) throw new IllegalStateException("no decoder fixture under the fixture roots");
        return out;
    }

    private static Path root(String property, String fallback) {
        String p = System.getProperty(property);
        Path root = Path.of(p != null && !p.isBlank() ? p : fallback);
        if (!Files.isDirectory(root)) throw new IllegalStateException("fixture root " + root.toAbsolutePath()
                + " does not exist: set -D" + property + "=DIR");
        return root;
    }

    private static List<Path> under(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("config.json")))
                    .filter(d -> Models.DECODER_TYPES.contains(HfConfig.read(d).modelType()))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }
}
