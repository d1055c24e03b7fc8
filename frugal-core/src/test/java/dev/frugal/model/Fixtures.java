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

    /**
     * The committed variant root ({@code -Dfrugal.fixtures.variants}, default {@code fixtures/hf-variants} at the repo
     * root), or null when absent (e.g. a module built outside the repository).
     */
    public static Path variantsRoot() {
        String p = System.getProperty("frugal.fixtures.variants");
        for (Path c : p != null && !p.isBlank() ? List.of(Path.of(p))
                : List.of(Path.of("fixtures/hf-variants"), Path.of("../fixtures/hf-variants"))) {
            if (Files.isDirectory(c)) return c.toAbsolutePath().normalize();
        }
        return null;
    }

    /** Every architecture directory (one holding a config.json) under the root and the variant root. */
    public static List<Path> architectureDirs() {
        List<Path> out = new java.util.ArrayList<>(dirsUnder(root()));
        Path v = variantsRoot();
        if (v != null) out.addAll(dirsUnder(v));
        return out;
    }

    private static List<Path> dirsUnder(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
