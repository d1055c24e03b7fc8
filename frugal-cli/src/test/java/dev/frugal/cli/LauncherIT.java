package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code frugal} launcher script end to end ({@code ./frugal info} from the repository root). An integration test
 * (maven-failsafe, after {@code package}): it runs the CLI jar and class path file that the build just wrote, and fails
 * when they are missing. Never builds ({@code FRUGAL_NO_BUILD=1}), so a test run cannot start a nested Maven build.
 */
class LauncherIT {
    @Test
    void launcherRunsInfo(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException, InterruptedException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("frugal");
        Path target = root.resolve("frugal-cli/target");
        assertTrue(Files.isExecutable(script), "no launcher at " + script);
        assertTrue(Files.isRegularFile(target.resolve("classpath.txt")), "no " + target.resolve("classpath.txt")
                + ": run this test through 'mvn verify', which packages the CLI first");
        try (Stream<Path> s = Files.list(target)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("frugal-cli-.*\\.jar")), "no CLI jar in " + target);
        }
        Path home = tmp; // its jar snapshots are deleted with it
        String out = info(script, root, home, false);
        assertTrue(out.contains("libtorch     " + Backend.LIBTORCH_VERSION), out);
        // the launcher exported --threads to OpenBLAS before the JVM started
        assertTrue(out.contains("OpenBLAS 1 (OPENBLAS_NUM_THREADS=1)"), out);
        // every --add-opens names a package java.base has: no "WARNING: package ... not in java.base" (issue 13)
        assertTrue(!out.contains("WARNING"), out);

        // the classes came from a snapshot of the build's jars under $FRUGAL_HOME/cache/jars, equal to them, so a
        // rebuild during a run cannot pull them away; a second launch of the same build reuses that snapshot
        Path snapshots = home.resolve("cache/jars");
        Path loaded = Path.of(classesRow(out));
        assertTrue(loaded.startsWith(snapshots), "classes loaded from " + loaded + ", not from a snapshot under "
                + snapshots + ":\n" + out);
        Path built = target.resolve(loaded.getFileName());
        assertEquals(-1L, Files.mismatch(built, loaded), loaded + " differs from " + built);
        info(script, root, home, false);
        try (Stream<Path> s = Files.list(snapshots)) {
            assertEquals(1, s.count(), "one snapshot per build in " + snapshots);
        }
        // FRUGAL_NO_SNAPSHOT=1 runs from the build's own jars
        Path direct = Path.of(classesRow(info(script, root, home, true)));
        assertEquals(built.toRealPath(), direct.toRealPath());
    }

    private static String info(Path script, Path root, Path home, boolean noSnapshot)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--threads", "1", "info")
                .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("FRUGAL_NO_BUILD", "1");
        pb.environment().put("FRUGAL_HOME", home.toString());
        if (noSnapshot) pb.environment().put("FRUGAL_NO_SNAPSHOT", "1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("OPENBLAS_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher did not finish:\n" + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The path on {@code frugal info}'s "classes" row. */
    private static String classesRow(String out) {
        for (String line : out.split("\n"))
            if (line.startsWith("classes ")) return line.substring("classes ".length()).strip();
        throw new AssertionError("no classes row in:\n" + out);
    }
}
