package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench acdc --repeats N}: one variant's runs become one with the median wall time, CPU time and RSS; nonsense is refused. */
class AcdcBenchRepeatsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void medianRunTakesTheMediansAndKeepsTheEdges() throws Exception {
        List<JsonNode> runs = List.of(
                JSON.readTree("{\"variant\":\"pahq\",\"time_s\":30,\"cpu_s\":50,\"peak_rss_mb\":700,\"sweep_peak_rss_mb\":600,\"edges\":[\"a->b\"]}"),
                JSON.readTree("{\"variant\":\"pahq\",\"time_s\":10,\"cpu_s\":19,\"peak_rss_mb\":750,\"sweep_peak_rss_mb\":650,\"edges\":[\"a->b\"]}"),
                JSON.readTree("{\"variant\":\"pahq\",\"time_s\":20,\"cpu_s\":41,\"peak_rss_mb\":720,\"sweep_peak_rss_mb\":610,\"edges\":[\"a->b\"]}"));
        JsonNode m = AcdcBench.medianRun(runs);
        assertEquals(20.0, m.path("time_s").asDouble());
        assertEquals(41.0, m.path("cpu_s").asDouble());
        assertEquals(720.0, m.path("peak_rss_mb").asDouble());
        assertEquals(610.0, m.path("sweep_peak_rss_mb").asDouble());
        assertEquals("a->b", m.path("edges").get(0).asText());
        var e = assertThrows(IllegalStateException.class, () -> AcdcBench.medianRun(List.of(runs.get(0),
                JSON.readTree("{\"variant\":\"pahq\",\"time_s\":1,\"edges\":[]}"))));
        assertTrue(e.getMessage().contains("different edges"), e.getMessage());
    }

    @Test
    void repeatsBelowOneIsRefusedBeforeAnythingRuns(@TempDir Path models) {
        var e = assertThrows(dev.frugal.InvalidSettingException.class, () -> AcdcBench.run(true, "small", 1, 0, models,
                null, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains("repeats"), e.getMessage());
    }
}
