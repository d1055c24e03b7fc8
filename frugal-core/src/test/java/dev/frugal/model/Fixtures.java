package dev.frugal.model;

import dev.frugal.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locates the fixture root ({@code -Dfrugal.fixtures}) and the device ({@code -Dfrugal.device}) for conformance tests. */
public final class Fixtures {
    private Fixtures() {}

    public static Path root() {
        String p = System.getProperty("frugal.fixtures");
        Path root = p != null && !p.isBlank() ? Path.of(p) : Path.of("../shared/fixtures/hf-tiny");
        if (!Files.isDirectory(root)) root = Path.of("../../shared/fixtures/hf-tiny");
        if (!Files.isDirectory(root)) throw new IllegalStateException("fixture root not found: " + p
                + " (set -Dfrugal.fixtures=DIR)");
        return root.toAbsolutePath().normalize();
    }

    public static Device device() { return Device.parse(System.getProperty("frugal.device", "cpu")); }

    /** Logit/hidden tolerance: 1e-4 on CPU, 1e-3 on CUDA. */
    public static double tolerance() { return device().isCuda() ? 1e-3 : 1e-4; }

    /** Every architecture directory (one holding a config.json) under the root. */
    public static List<Path> architectureDirs() {
        try (Stream<Path> s = Files.list(root())) {
            return s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
