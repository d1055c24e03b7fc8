package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frugal fewshot pretrain/eval} end to end on real data (Fashion-MNIST → MNIST) with a tiny backbone, and every
 * bad input of issue #16 answered by one line and exit code 2.
 */
class FewshotCommandTest {
    @TempDir
    static Path dir;
    static Path pretrained;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.commandLine(new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    @BeforeAll
    static void pretrainTiny() {
        pretrained = dir.resolve("pt");
        Run r = run("fewshot", "pretrain", "--source", "fmnist", "--steps", "3", "--batch", "16", "--widths", "8,8,16,16",
                "--codebook-per-class", "4", "--out", pretrained.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(pretrained.resolve("backbone.safetensors")));
        assertTrue(Files.isRegularFile(pretrained.resolve("codebook.safetensors")));
    }

    @Test
    void evalWritesJsonMetricsAndPlots() throws IOException {
        Path out = dir.resolve("ev"), json = dir.resolve("r.json");
        Run r = run("fewshot", "eval", "--pretrained", pretrained.toString(), "--method", "protonet,frn,idp", "--target", "mnist",
                "--shots", "1", "--episodes", "2", "--idp-steps", "2", "--pseudo-queries", "2", "--json", json.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(json);
        assertEquals(3, lines.size());
        for (String l : lines) {
            JsonNode n = new ObjectMapper().readTree(l);
            for (String k : List.of("method", "target", "shots", "episodes", "acc", "ci")) assertTrue(n.has(k), k + " missing in " + l);
            assertEquals("mnist", n.get("target").asText());
            assertEquals(2, n.get("episodes").asInt());
            double acc = n.get("acc").asDouble();
            assertTrue(acc >= 0 && acc <= 1, l);
        }
        assertTrue(Files.size(out.resolve("metrics.jsonl")) > 0);
        for (String png : List.of("accuracy.png", "episode.png")) assertTrue(ImageIO.read(out.resolve(png).toFile()) != null, png);
    }

    @Test
    void withoutOutTheRunGoesUnderTheFrugalHome() throws IOException {
        Path runs = dev.frugal.data.FrugalHome.root().resolve("runs").resolve("fewshot");
        Files.deleteIfExists(runs.resolve("metrics.jsonl"));
        Run r = run("fewshot", "eval", "--pretrained", pretrained.toString(), "--method", "protonet", "--target", "mnist",
                "--shots", "1", "--episodes", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(runs.resolve("metrics.jsonl")) > 0, "no metrics.jsonl in " + runs);
        assertTrue(r.out().contains(runs.resolve("metrics.jsonl").toString()), r.out());
    }

    @Test
    void checkpointOfAnotherArchitectureIsOneLineExit2() {
        Run r = run("fewshot", "eval", "--pretrained", pretrained.toString(), "--backbone", "resnet12", "--method", "protonet",
                "--target", "mnist", "--episodes", "1");
        assertBadInput(r, "resnet10");
    }

    @Test
    void unknownBnStatisticsModeNamesTheOption() {
        Run r = run("fewshot", "eval", "--pretrained", pretrained.toString(), "--method", "idp", "--target", "mnist",
                "--episodes", "1", "--idp-bn", "batch");
        // a picocli parameter error: exit 2, the option and the allowed modes named (then picocli's usage)
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains("'--idp-bn': 'batch' is not one of source, annealed, train-mode, authors"), r.err());
    }

    @Test
    void negativeFirstEpisodeNamesTheSetting() {
        Run r = run("fewshot", "eval", "--pretrained", pretrained.toString(), "--method", "protonet", "--target", "mnist",
                "--episodes", "1", "--first-episode", "-1");
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--first-episode must be ≥ 0, got -1"), r.err());
    }

    @Test
    void unknownTargetOrSourceIsOneLineExit2() {
        assertBadInput(evalOn(dir.resolve("no-such-domain")), "no-such-domain");
        assertBadInput(run("fewshot", "pretrain", "--source", "no-such-source", "--steps", "1", "--out",
                dir.resolve("bad-source").toString()), "no-such-source");
    }

    @Test
    void fewerClassesThanWaysIsOneLineExit2() throws IOException {
        Path t = folder("three", 3, 20);
        assertBadInput(evalOn(t), "3 classes");
    }

    @Test
    void classWithTooFewImagesIsNamed() throws IOException {
        Path t = folder("small", 5, 20);
        for (int i = 0; i < 17; i++) Files.delete(t.resolve("c2").resolve(i + ".png"));
        assertBadInput(evalOn(t), "'c2'");
    }

    @Test
    void nonImageFileIsNamed() throws IOException {
        Path t = folder("junk", 5, 20);
        Files.writeString(t.resolve("c1").resolve("readme.txt"), "hello");
        assertBadInput(evalOn(t), "readme.txt");
    }

    @Test
    void mixedChannelCountsAreNamed() throws IOException {
        Path t = folder("mixed", 5, 20);
        Path rgb = t.resolve("c4").resolve("rgb.png");
        ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB), "png", rgb.toFile());
        assertBadInput(evalOn(t), "rgb.png");
    }

    private static Run evalOn(Path target) {
        return run("fewshot", "eval", "--pretrained", pretrained.toString(), "--method", "protonet", "--target", target.toString(),
                "--shots", "1", "--episodes", "1", "--out", dir.resolve("bad").toString());
    }

    private static void assertBadInput(Run r, String mention) {
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        String e = r.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("frugal: ") && e.contains(mention), e);
    }

    /** {@code classes} folders of {@code per} grey PNGs with distinct stripes. */
    private static Path folder(String name, int classes, int per) throws IOException {
        Path root = dir.resolve(name);
        for (int c = 0; c < classes; c++) {
            Path cd = Files.createDirectories(root.resolve("c" + c));
            for (int i = 0; i < per; i++) {
                BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) im.getRaster().setSample(x, y, 0, ((x + c * y + i) % 7) * 36);
                ImageIO.write(im, "png", cd.resolve(i + ".png").toFile());
            }
        }
        return root;
    }
}
