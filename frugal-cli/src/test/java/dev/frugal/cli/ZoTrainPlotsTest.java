package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYSeries;

/**
 * {@code zo train} end to end on the tiny OPT fixture (LM task on token ids): the run directory defaults to
 * {@code $FRUGAL_HOME/runs/zo}; after {@code --resume} the loss chart holds the steps from before the resume; a run of
 * {@code --steps 0} draws no chart.
 */
class ZoTrainPlotsTest extends TempHomeCliTest {
    /** 40 lines of 24 random token ids below the fixture's vocabulary (seeded). */
    private Path tokens(long seed) throws Exception { return tokens(home.resolve("tokens.jsonl"), seed, 40, 24); }

    /** {@code lines} JSON lines of {@code length} random token ids in [4, the OPT fixture's vocabulary), seeded. */
    static Path tokens(Path file, long seed, int lines, int length) throws Exception {
        long vocab = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of(FrugalCommandTest.opt(), "config.json").toFile()).get("vocab_size").asLong();
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder();
        for (int l = 0; l < lines; l++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < length; i++) ids.add(Long.toString(4 + r.nextLong(vocab - 4)));
            b.append("{\"input_ids\": [").append(String.join(",", ids)).append("]}\n");
        }
        Files.writeString(file, b);
        return file;
    }

    private FrugalCommandTest.Run train(Path data, String... extra) {
        List<String> a = new ArrayList<>(List.of("--threads", "1", "zo", "train", "--model", FrugalCommandTest.opt(),
                "--task", "lm", "--data", data.toString(), "--seq-len", "8", "--batch", "2", "--eval-every", "2",
                "--lr", "1e-4", "--no-progress"));
        a.addAll(List.of(extra));
        return FrugalCommandTest.frugal(a.toArray(String[]::new));
    }

    @Test
    void resumedRunPlotsEveryStepUnderFrugalHome() throws Exception {
        Path data = tokens(13);
        FrugalCommandTest.Run first = train(data, "--steps", "4");
        assertEquals(0, first.code(), first.describe());
        Path run = home.resolve("runs").resolve("zo");
        assertTrue(Files.isRegularFile(run.resolve("metrics.jsonl")), "default run directory: " + first.describe());
        assertTrue(Files.isRegularFile(run.resolve("loss.png")) && Files.isRegularFile(run.resolve("eval_loss.png")));
        FrugalCommandTest.Run resumed = train(data, "--steps", "7", "--resume");
        assertEquals(0, resumed.code(), resumed.describe());
        var lines = ZoPlots.read(run.resolve("metrics.jsonl"));
        XYSeries raw = ZoPlots.lossPlot(lines, "t").chart().getSeriesMap().values().iterator().next();
        assertEquals(7, raw.getXData().length, "steps 1-4 from before the resume and 5-7 after");
        assertEquals(1.0, raw.getXData()[0]);
        assertTrue(ZoPlots.series(lines, "eval_loss").size() >= 4, "evaluations from both runs: " + lines);
        assertTrue(ZoPlots.title(optionsOf()).contains("opt"));
    }

    private static ZoTrainCommand.ZoOptions optionsOf() {
        ZoTrainCommand.ZoOptions o = new ZoTrainCommand.ZoOptions();
        o.model = FrugalCommandTest.opt();
        o.task = ZoTrainCommand.Task.lm;
        o.data = "tokens.jsonl";
        return o;
    }

    @Test
    void zeroStepsDrawNoEmptyChart() throws Exception {
        Path out = home.resolve("zero");
        FrugalCommandTest.Run r = train(tokens(5), "--steps", "0", "--out", out.toString());
        assertEquals(0, r.code(), r.describe());
        assertFalse(Files.exists(out.resolve("loss.png")), r.describe());
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".png")), "no charts for a run without steps");
        }
    }
}
