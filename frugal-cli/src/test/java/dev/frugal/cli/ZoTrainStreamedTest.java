package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code zo train --task lm} on an offloaded tier takes the model's blocks from the checkpoint one at a time (never the
 * whole float32 model) and writes its checkpoints block by block: the same steps and the same checkpoint bytes as the
 * in-memory run, and a resumed disk run continues on the identical trajectory.
 */
class ZoTrainStreamedTest extends TempHomeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path tokens() throws Exception { return ZoTrainPlotsTest.tokens(home.resolve("tokens.jsonl"), 21, 30, 20); }

    private FrugalCommandTest.Run train(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--threads", "1", "zo", "train", "--model", FrugalCommandTest.opt(),
                "--task", "lm", "--data", data.toString(), "--seq-len", "8", "--batch", "2", "--lr", "1e-4",
                "--storage-dtype", "fp32", "--checkpoint-every", "2", "--no-progress", "--out", out.toString()));
        a.addAll(List.of(extra));
        FrugalCommandTest.Run r = FrugalCommandTest.frugal(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.describe());
        return r;
    }

    /** The step lines without their timing and memory fields. */
    private static List<String> steps(Path out) throws Exception {
        List<String> s = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (!n.path("event").asText().equals("step")) continue;
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove(List.of("step_s", "rss_mb"));
            s.add(n.toString());
        }
        return s;
    }

    private static byte[] weights(Path out, int step) throws Exception {
        return Files.readAllBytes(out.resolve("checkpoints").resolve(String.format("step-%08d", step))
                .resolve("model.safetensors"));
    }

    @Test
    void diskTierStreamsTheModelAndMatchesTheInMemoryRunAndItsResume() throws Exception {
        Path data = tokens();
        Path mem = home.resolve("mem"), disk = home.resolve("disk"), resumed = home.resolve("resumed");
        assertTrue(!train(data, mem, "--offload", "none", "--steps", "4").out().contains("streamed"));
        FrugalCommandTest.Run d = train(data, disk, "--offload", "disk", "--resident-blocks", "1", "--steps", "4");
        assertTrue(d.out().contains("blocks streamed from the checkpoint"), d.out());
        train(data, resumed, "--offload", "disk", "--resident-blocks", "1", "--steps", "2");
        train(data, resumed, "--offload", "disk", "--resident-blocks", "1", "--steps", "4", "--resume");
        List<String> expected = steps(mem);
        assertEquals(4, expected.size());
        assertEquals(expected, steps(disk), "disk tier, streamed from the checkpoint");
        assertEquals(expected, steps(resumed), "disk tier, resumed after step 2");
        for (int step : new int[] {2, 4}) {
            assertArrayEquals(weights(mem, step), weights(disk, step), "checkpoint step " + step + ": disk vs memory");
            assertArrayEquals(weights(mem, step), weights(resumed, step), "checkpoint step " + step + ": resumed");
        }
        assertTrue(Files.isDirectory(disk.resolve("offload")), "the blocks lived on disk");
    }

    /**
     * {@code --stream-all} (every parameter on disk, DiskStreamEngine): on the fixture no matrix exceeds a chunk, so
     * its steps and checkpoints equal the in-memory run's, and its resume continues on the same trajectory.
     */
    @Test
    void streamAllMatchesTheInMemoryRunAndItsResume() throws Exception {
        Path data = tokens();
        Path mem = home.resolve("mem"), all = home.resolve("all"), resumed = home.resolve("all-resumed");
        train(data, mem, "--offload", "none", "--steps", "4");
        FrugalCommandTest.Run r = train(data, all, "--offload", "disk", "--stream-all", "--steps", "4");
        assertTrue(r.out().contains("every parameter on disk"), r.out());
        train(data, resumed, "--offload", "disk", "--stream-all", "--steps", "2");
        train(data, resumed, "--offload", "disk", "--stream-all", "--steps", "4", "--resume");
        assertEquals(steps(mem), steps(all));
        assertEquals(steps(mem), steps(resumed));
        for (int step : new int[] {2, 4}) {
            assertArrayEquals(weights(mem, step), weights(all, step), "checkpoint step " + step);
            assertArrayEquals(weights(mem, step), weights(resumed, step), "checkpoint step " + step + ", resumed");
        }
    }

    @Test
    void streamAllRefusesWhatItCannotDo() throws Exception {
        Path data = tokens();
        String[][] cases = {
            {"--offload", "host", "--stream-all"}, {"--offload", "disk", "--stream-all", "--tune", "head"},
            {"--offload", "disk", "--stream-all", "--rng", "mezo"},
            {"--offload", "disk", "--stream-all", "--tune", "head", "--spsa-samples", "2"}};
        for (String[] c : cases) {
            List<String> a = new ArrayList<>(List.of("--threads", "1", "zo", "train", "--model", FrugalCommandTest.opt(),
                    "--task", "lm", "--data", data.toString(), "--steps", "1", "--no-progress", "--out",
                    home.resolve("refused").toString()));
            a.addAll(List.of(c));
            FrugalCommandTest.Run r = FrugalCommandTest.frugal(a.toArray(String[]::new));
            assertEquals(Main.EXIT_USAGE, r.code(), String.join(" ", c) + "\n" + r.describe());
            assertTrue(r.err().contains("--stream-all"), String.join(" ", c) + "\n" + r.describe());
            assertTrue(!Files.exists(home.resolve("refused")), "a refused run writes nothing");
        }
    }
}
