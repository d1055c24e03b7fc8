package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.data.DatasetName;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.frugal.data.TestDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code frugal dp train}: argument checks, and a tiny seeded Fashion-MNIST run end to end. */
class DpTrainCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();

    /** Runs {@code frugal dp args...} through the real top-level command (global options included). */
    private int run(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "dp";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(all);
    }

    @Test
    void needsExactlyOneOfEpsilonAndSigma() {
        assertEquals(2, run("train", "--model", "mlp", "--task", "fmnist", "--batch", "64"));
        assertTrue(err.toString().contains("--target-epsilon"), err.toString());
    }

    @Test
    void rejectsUnknownClippingMode() {
        assertEquals(2, run("train", "--model", "mlp", "--task", "fmnist", "--batch", "64", "--sigma", "1",
                "--clipping", "sideways"));
        assertTrue(err.toString().contains("'sideways' is not one of per-layer, flat"), err.toString());
    }

    @Test
    void tinyFashionMnistRunWritesMetricsAndPlot(@TempDir Path dir) throws Exception {
        TestDatasets.ensure(DatasetName.FMNIST); // installed into the test home through frugal's fetch code
        int rc = run("train", "--model", "mlp", "--task", "fmnist", "--sigma", "1.0", "--batch", "128",
                "--max-train", "512", "--epochs", "1", "--seed", "7", "--lr", "0.5", "--threads", "2",
                "--out", dir.toString());
        assertEquals(0, rc, err.toString());
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertTrue(lines.getFirst().contains("\"event\":\"config\""));
        assertTrue(lines.getLast().contains("\"event\":\"result\""), lines.getLast());
        assertTrue(Files.size(dir.resolve("accuracy_vs_epsilon.png")) > 1000);
        assertTrue(out.toString().contains("ε spent"), out.toString());
        // the baseline is the test accuracy of predicting the training majority class: Fashion-MNIST's test set is
        // balanced (1,000 per class), so exactly 0.1, whatever the 512 training images' class counts
        assertTrue(out.toString().matches("(?s).*majority-class baseline\\s+0\\.1000\\n.*"), out.toString());
    }

    /** The MiniLM fine-tuning path: top encoder block + head trained through the clipping engine, AdamW update. */
    @Test
    void tinySpamFineTuningRunTrainsTheTopBlock(@TempDir Path dir) throws Exception {
        TestDatasets.ensure(DatasetName.SPAM);
        TestDatasets.ensure(DatasetName.MINILM);
        int rc = run("train", "--model", "minilm", "--task", "spam", "--sigma", "1.0", "--batch", "8",
                "--max-train", "24", "--seq-len", "8", "--trainable-blocks", "1", "--epochs", "1", "--seed", "5",
                "--optimizer", "adamw", "--lr", "1e-4", "--head-lr", "1e-2", "--head-clip-share", "0.5", "--threads", "2", "--out", dir.toString());
        assertEquals(0, rc, err.toString());
        String o = out.toString();
        assertTrue(o.contains("DP fine-tuning of the top 1 of 6 blocks"), o);
        assertTrue(o.contains("AdamW lr 0.000100 over 16 tensors; AdamW lr 0.0100 over 2 tensors"), o);
        assertTrue(o.contains("sensitivity 1.00"), o); // head share F, the 16 block tensors 1 − F: √(Σ C_l²) = C
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertTrue(lines.getLast().contains("\"event\":\"result\""), lines.getLast());
    }

    @Test
    void freezeEncoderContradictsTrainableBlocks() {
        assertEquals(2, run("train", "--model", "minilm", "--task", "spam", "--sigma", "1", "--batch", "8",
                "--freeze-encoder", "--trainable-blocks", "2"));
        assertTrue(err.toString().contains("--freeze-encoder"), err.toString());
    }
}
