package dev.frugal.model;

import dev.frugal.tensor.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one fixture locator of every module's tests (other modules use it through frugal-core's test-jar). It never
 * falls back and never lets a test skip: a root or a file that is not there fails the test that asked for it, with a
 * message that names the path and the property to set.
 *
 * <ul>
 *   <li>{@code -Dfrugal.fixtures=DIR}: the fixture root in the layout of {@code ../shared/fixtures/README.md}
 *       ({@code opt/ gpt2/ llama/ qwen3/ bert/}); the parent pom sets it to {@code ../shared/fixtures/hf-tiny}.
 *       Unset (e.g. a test started from an IDE), that same default next to the repository.</li>
 *   <li>{@code -Dfrugal.fixtures.variants=DIR}: the committed variants ({@code fixtures/hf-variants}).</li>
 *   <li>{@code -Dfrugal.device=cpu|cuda}: the device of conformance tests.</li>
 * </ul>
 * Tests derive sizes, vocabularies and tolerances from what they load, so any fixture set of the same layout runs.
 */
public final class Fixtures {
    public static final String ROOT_PROPERTY = "frugal.fixtures";
    public static final String VARIANTS_PROPERTY = "frugal.fixtures.variants";

    private Fixtures() {}

    /** The fixture root; fails when it is not a directory. */
    public static Path root() {
        return directory(ROOT_PROPERTY, repositoryRoot().resolve("../shared/fixtures/hf-tiny"));
    }

    /** The committed variant root ({@code fixtures/hf-variants} by default); fails when it is not a directory. */
    public static Path variantsRoot() {
        return directory(VARIANTS_PROPERTY, repositoryRoot().resolve("fixtures/hf-variants"));
    }

    /** {@code <root>/<arch>}, which must hold a config.json (fails otherwise). */
    public static Path dir(String arch) {
        Path d = root().resolve(arch);
        require(d.resolve("config.json"), "architecture directory '" + arch + "' of the fixture root");
        return d;
    }

    /** {@code <root>/<arch>/<name>}, which must be a file (fails otherwise). */
    public static Path file(String arch, String name) {
        Path f = root().resolve(arch).resolve(name);
        require(f, "fixture file");
        return f;
    }

    /** Every architecture directory (one holding a config.json) under the root and the variant root. */
    public static List<Path> architectureDirs() {
        List<Path> out = new ArrayList<>(dirsUnder(root()));
        out.addAll(dirsUnder(variantsRoot()));
        return out;
    }

    /**
     * Every MeZO trajectory fixture ({@code mezo_reference.json} + {@code mezo_final_params.safetensors} next to the
     * model it was run on): {@code <root>/opt}, which the layout requires, then every one found under the variant
     * root and the repository's {@code fixtures/} directory.
     */
    public static List<Path> mezoDirs() {
        List<Path> out = new ArrayList<>();
        java.util.Set<Path> seen = new java.util.HashSet<>(); // by the json's real path: a set may link a committed one
        Path opt = dir("opt");
        require(opt.resolve("mezo_reference.json"), "MeZO fixture of the fixture root");
        out.add(opt);
        seen.add(realPath(opt.resolve("mezo_reference.json")));
        for (Path base : List.of(variantsRoot(), repositoryRoot().resolve("fixtures"))) {
            try (Stream<Path> s = Files.walk(base, 3)) {
                for (Path json : s.filter(p -> p.getFileName().toString().equals("mezo_reference.json")).sorted().toList())
                    if (seen.add(realPath(json))) out.add(json.getParent().toAbsolutePath().normalize());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Path d : out) require(d.resolve("mezo_final_params.safetensors"), "MeZO final parameters");
        return out;
    }

    public static Device device() { return Device.parse(System.getProperty("frugal.device", "cpu")); }

    /**
     * Logit/hidden-state tolerance against Hugging Face: 1e-5 on CPU (measured ≤ 2.8e-6 on every fixture and variant,
     * README), 1e-3 on CUDA (TF32 and other kernels).
     */
    public static double tolerance() { return device().isCuda() ? 1e-3 : 1e-5; }

    /**
     * The repository root: the first directory at or above the working directory that holds
     * {@code frugal-core/pom.xml} (surefire runs a module's tests in the module's directory).
     */
    public static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("frugal-core/pom.xml"))) return d;
        }
        throw new IllegalStateException("no frugal repository (a directory with frugal-core/pom.xml) at or above "
                + start + ": run the tests from the repository");
    }

    private static Path directory(String property, Path fallback) {
        String p = System.getProperty(property);
        boolean set = p != null && !p.isBlank();
        Path d = (set ? Path.of(p) : fallback).toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) throw new IllegalStateException((set ? "-D" + property + " names " + d
                : "-D" + property + " is not set and the default " + d) + ", which is not a directory: pass -D"
                + property + "=DIR (a fixture set in the layout of ../shared/fixtures/README.md)");
        return d;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(Path file, String what) {
        if (!Files.isRegularFile(file)) throw new IllegalStateException(what + " missing: " + file
                + " (the fixture set must have the layout of ../shared/fixtures/README.md; -D" + ROOT_PROPERTY + "="
                + System.getProperty(ROOT_PROPERTY) + ")");
    }

    private static List<Path> dirsUnder(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
