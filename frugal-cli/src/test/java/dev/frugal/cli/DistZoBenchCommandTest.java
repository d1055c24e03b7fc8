package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frugal bench dist-zo --quick --repeats 2} on a real loopback standalone cluster: every mode twice, the
 * medians, the speedups of the medians and each run's own speedups in the summary line.
 */
class DistZoBenchCommandTest {
    @TempDir
    Path work;

    @Test
    void repeatedQuickBenchReportsMediansAndEveryRunsSpeedups() throws Exception {
        Path lines = work.resolve("dist.jsonl");
        CommandRun run = CommandRun.of(new DistZoBenchCommand(), "--quick", "--repeats", "2", "--work",
                work.resolve("w").toString(), "--json", lines.toString());
        assertEquals(0, run.exit(), run.printed());
        assertTrue(run.printed().contains("(run 2 of 2)"), run.printed());
        JsonNode summary = new ObjectMapper().readTree(Files.readAllLines(lines).getLast());
        assertEquals("dist-zo", summary.get("bench").asText());
        assertEquals(2, summary.get("repeats").asInt());
        double single = summary.get("steps_per_s").get("single").asDouble();
        assertTrue(single > 0, summary.toString());
        for (String mode : List.of("ddp2", "pertp2", "ddp4", "2d4")) {
            double sps = summary.get("steps_per_s").get(mode).asDouble();
            assertTrue(sps > 0, mode + ": " + summary);
            assertEquals(sps / single, summary.get("speedup_" + mode).asDouble(), 2e-3, mode + ": the medians' ratio");
            JsonNode runs = summary.get("speedup_per_run").get(mode);
            assertEquals(2, runs.size(), mode + ": one speedup per run");
            assertTrue(runs.get(0).asDouble() > 0 && runs.get(1).asDouble() > 0, mode + ": " + runs);
            assertTrue(summary.get("breakdown").get(mode).get("step_s").asDouble() > 0, mode + ": " + summary);
        }
        assertTrue(Files.isDirectory(work.resolve("w").resolve("pertp2-run2")), "the second run of a mode starts afresh");
    }

    /** Without {@code --work} the bench's temporary directory (model and checkpoints) is deleted, also when it fails. */
    @Test
    void aRefusedRunLeavesNoTemporaryDirectory() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.Set<Path> before = benchDirs(tmp);
        CommandRun run = CommandRun.of(new DistZoBenchCommand(), "--quick", "--repeats", "0");
        assertTrue(run.exit() != 0, "--repeats 0 must be refused: " + run.printed()); // exit 2 from the CLI: BadInputCliTest
        assertEquals(before, benchDirs(tmp), "a temporary directory was left behind");
    }

    private static java.util.Set<Path> benchDirs(Path tmp) throws java.io.IOException {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("frugal-dist-zo-bench"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }
}
