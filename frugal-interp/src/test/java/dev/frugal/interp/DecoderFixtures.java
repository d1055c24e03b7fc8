package dev.frugal.interp;

import dev.frugal.model.Fixtures;
import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import java.nio.file.Path;
import java.util.List;

/**
 * The decoder fixtures circuit discovery is checked on: every fixture directory of the shared locator
 * ({@link Fixtures#architectureDirs()}: the fixture root and the committed variants, failing when a root is missing)
 * whose {@code model_type} is a decoder frugal implements.
 */
final class DecoderFixtures {
    private DecoderFixtures() {}

    static List<Path> all() {
        List<Path> out = Fixtures.architectureDirs().stream()
                .filter(d -> Models.DECODER_TYPES.contains(HfConfig.read(d).modelType())).toList();
        if (out.isEmpty()) throw new IllegalStateException("no decoder fixture under the fixture roots");
        return out;
    }
}
