package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProbeCommandTest extends TempHomeCliTest {

    private int run(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(all);
    }

    /** A tiny end-to-end run: minilm imported into the temp home, 40 + 40 emails at 32 tokens. */
    @Test
    void probeOnSpamSmallPrintsMetricsAndWritesJson() throws Exception {
        Path json = home.resolve("probe.jsonl");
        int rc = run("probe", "--data", "spam-small", "--limit", "40", "--max-tokens", "32",
                "--epochs", "20", "--threads", "2", "--json", json.toString());
        assertEquals(0, rc, err.toString());
        String o = out.toString();
        System.out.println(o);
        for (String s : new String[] {"linear probe", "majority (ham)", "accuracy", "precision", "recall",
                "confusion matrix", "true\\pred"}) {
            assertTrue(o.contains(s), s + " missing in\n" + o);
        }
        assertTrue(Files.isRegularFile(home.resolve("models/minilm/model.safetensors")), "imported on first use");
        String line = Files.readString(json).strip();
        assertTrue(line.startsWith("{\"probe\":\"minilm\",\"data\":\"spam-small\"") && line.contains("\"accuracy\""),
                line);
    }

    @Test
    void fullSpamNotInstalledSaysWhatToRun() {
        assertEquals(Main.EXIT_USAGE, run("probe", "--data", "spam"));
        assertTrue(err.toString().contains("frugal data fetch spam"), err.toString());
        assertFalse(err.toString().contains("\tat "));
    }

    @Test
    void unknownDataIsAUsageError() {
        assertEquals(2, run("probe", "--data", "mnist"));
        assertTrue(err.toString().contains("spam-small"), err.toString());
    }

    @Test
    void importOnnxNeedsTokenizerWithOnnx() {
        assertEquals(2, run("import-onnx", "--onnx", "x.onnx", "--out", home.resolve("m").toString()));
        assertTrue(err.toString().contains("--tokenizer"), err.toString());
    }

    @Test
    void importOnnxMissingFileIsOneErrorLine() throws Exception {
        Path tok = Files.writeString(home.resolve("tokenizer.json"), "{}");
        assertEquals(Main.EXIT_USAGE, run("import-onnx", "--onnx", home.resolve("none.onnx").toString(),
                "--tokenizer", tok.toString(), "--out", home.resolve("m").toString()));
        String e = err.toString().strip();
        assertTrue(e.startsWith("frugal: ") && e.contains("none.onnx"), e);
        assertEquals(1, e.lines().count(), e);
    }

    @Test
    void importOnnxDefaultSourceWritesAModelDirectory() {
        Path dir = home.resolve("minilm-hf");
        assertEquals(0, run("import-onnx", "--out", dir.toString()), err.toString());
        assertTrue(out.toString().contains("22,565,376 parameters"), out.toString());
        assertTrue(Files.isRegularFile(dir.resolve("config.json")));
        assertTrue(Files.isRegularFile(dir.resolve("tokenizer.json")));
    }
}
