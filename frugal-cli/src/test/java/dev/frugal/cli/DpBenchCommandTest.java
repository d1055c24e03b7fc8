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
 * {@code frugal bench dp --quick --steps 2}: the four modes (each a fresh JVM) and the paired run of flashdp and
 * non-private training step for step in one JVM, whose per-pair ratios and their median reach the summary.
 */
class DpBenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void quickBenchReportsEveryModeAndThePairedRatio() throws Exception {
        Path json = tmp.resolve("dp.jsonl");
        CommandRun run = CommandRun.of(new DpBenchCommand(), "--quick", "--steps", "2", "--worker-threads", "1", "--json",
                json.toString());
        assertEquals(0, run.exit(), run.printed());
        List<String> written = Files.readAllLines(json);
        assertEquals(6, written.size(), "four modes, the paired run and the summary:\n" + written);
        ObjectMapper m = new ObjectMapper();
        JsonNode paired = m.readTree(written.get(4)), s = m.readTree(written.get(5));
        assertEquals("paired", paired.get("mode").asText());
        assertEquals(2, paired.get("ratio_flashdp_vs_nondp_pairs").size(), "one ratio per timed step");
        assertEquals("dp", s.get("bench").asText());
        JsonNode pairs = s.get("ratio_flashdp_vs_nondp_paired_pairs");
        assertEquals(paired.get("ratio_flashdp_vs_nondp_pairs"), pairs);
        double lo = Math.min(pairs.get(0).asDouble(), pairs.get(1).asDouble());
        double hi = Math.max(pairs.get(0).asDouble(), pairs.get(1).asDouble());
        assertEquals((lo + hi) / 2, s.get("ratio_flashdp_vs_nondp_paired").asDouble(), 1e-4, "the median of two pairs");
        assertTrue(lo > 0, s.toString());
        for (String mode : List.of("nondp", "flashdp", "explicit", "ghost"))
            assertTrue(s.get("tokens_per_s").get(mode).asDouble() > 0, mode + ": " + s);
    }
}
