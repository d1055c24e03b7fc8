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
    void launcherRunsInfo() throws IOException, InterruptedException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("frugal");
        Path target = root.resolve("frugal-cli/target");
        assertTrue(Files.isExecutable(script), "no launcher at " + script);
        assertTrue(Files.isRegularFile(target.resolve("classpath.txt")), "no " + target.resolve("classpath.txt")
                + ": run this test through 'mvn verify', which packages the CLI first");
        try (Stream<Path> s = Files.list(target)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("frugal-cli-.*\\.jar")), "no CLI jar in " + target);
        }
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--threads", "1", "info")
                .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("FRUGAL_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("OPENBLAS_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher did not finish:\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("libtorch     " + Backend.LIBTORCH_VERSION), out);
        // the launcher exported --threads to OpenBLAS before the JVM started
        assertTrue(out.contains("OpenBLAS 1 (OPENBLAS_NUM_THREADS=1)"), out);
        // every --add-opens names a package java.base has: no "WARNING: package ... not in java.base" (issue 13)
        assertTrue(!out.contains("WARNING"), out);
    }
}
