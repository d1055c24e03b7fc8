package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.frugal.tensor.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The {@code frugal} launcher script end to end ({@code ./frugal info} from the repository root). Runs only when the
 * CLI jar and its class path file exist (after {@code mvn package}); never builds ({@code FRUGAL_NO_BUILD=1}), so a
 * test run cannot start a nested Maven build.
 */
class LauncherTest {
    @Test
    void launcherRunsInfo() throws IOException, InterruptedException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("frugal");
        Path target = root.resolve("frugal-cli/target");
        assumeTrue(Files.isExecutable(script), "no launcher at " + script);
        assumeTrue(Files.isRegularFile(target.resolve("classpath.txt")), "not packaged yet: no classpath.txt");
        try (Stream<Path> s = Files.list(target)) {
            assumeTrue(s.anyMatch(p -> p.getFileName().toString().matches("frugal-cli-.*\\.jar")), "no CLI jar yet");
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
