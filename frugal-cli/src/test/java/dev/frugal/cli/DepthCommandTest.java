package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** {@code frugal depth}: generate → train → eval, and every bad input of the issue as one line with exit code 2. */
class DepthCommandTest extends TempHomeCliTest {

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path generate(Path dir) {
        assertEquals(0, run("--threads", "1", "depth", "generate", "--out", dir.toString(), "--sequences", "1", "--frames", "5",
                "--width", "64", "--height", "48", "--vibration", "strong"), err.toString());
        return dir.resolve("seq_000");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t); else Files.copy(p, t);
            }
        }
    }

    private void assertUsageError(String fragment, String... args) {
        assertEquals(Main.EXIT_USAGE, run(args), "stdout: " + out + " stderr: " + err);
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("frugal: ") && e.contains(fragment), e);
    }

    @Test
    void generateTrainEvalAndBadInputs() throws IOException {
        Path good = generate(home.resolve("good"));
        Path run = home.resolve("run");
        assertEquals(0, run("--threads", "1", "depth", "train", "--data", good.getParent().toString(), "--out", run.toString(),
                "--vibration", "on", "--epochs", "1", "--batch", "2"), err.toString());
        assertTrue(Files.readAllLines(run.resolve("metrics.jsonl")).getFirst().contains("\"loss\""));
        assertUsageError("--resume", "--threads", "1", "depth", "train", "--data", good.getParent().toString(), "--out", run.toString(),
                "--vibration", "on", "--epochs", "1");
        // resuming a vibration-on run with the vibration path off: the checkpoint's setting named, exit 2
        assertUsageError("--vibration", "--threads", "1", "depth", "train", "--data", good.getParent().toString(), "--out",
                run.toString(), "--vibration", "off", "--resume", "--epochs", "2");
        assertEquals(0, run("--threads", "1", "depth", "eval", "--run", run.toString(), "--data", good.getParent().toString()), err.toString());
        assertTrue(Files.exists(run.resolve("depth-seq_000.png")));
        assertTrue(out.toString().contains("AbsRel"), out.toString());

        assertUsageError("--vibration", "depth", "train", "--data", good.getParent().toString(), "--vibration", "maybe");
        assertUsageError("--vibration", "depth", "generate", "--out", home.resolve("x").toString(), "--vibration", "wild");

        // an IMU stream that stops before the last frame pair
        Path imu = home.resolve("imu/seq_000");
        copyTree(good, imu);
        List<String> lines = Files.readAllLines(imu.resolve("imu.csv"));
        Files.write(imu.resolve("imu.csv"), lines.subList(0, lines.size() / 2));
        assertUsageError("imu.csv", "depth", "train", "--data", imu.getParent().toString(), "--vibration", "on", "--out", home.resolve("r1").toString());

        // frames of mixed sizes
        Path mixed = home.resolve("mixed/seq_000");
        copyTree(good, mixed);
        ImageIO.write(new BufferedImage(40, 48, BufferedImage.TYPE_INT_RGB), "png", mixed.resolve("rgb/000002.png").toFile());
        assertUsageError("one size", "depth", "train", "--data", mixed.getParent().toString(), "--vibration", "off", "--out", home.resolve("r2").toString());

        // missing intrinsics
        Path noK = home.resolve("nok/seq_000");
        copyTree(good, noK);
        Files.delete(noK.resolve("intrinsics.txt"));
        assertUsageError("intrinsics.txt", "depth", "eval", "--run", run.toString(), "--data", noK.getParent().toString());

        // NaN and non-positive depth: refused on request, else masked and counted
        Path nan = home.resolve("nan/seq_000");
        copyTree(good, nan);
        try (RandomAccessFile f = new RandomAccessFile(nan.resolve("depth.f32").toFile(), "rw")) {
            f.seek(16);
            f.write(new byte[] {0, 0, (byte) 0xC0, 0x7F}); // NaN
            f.write(new byte[] {0, 0, (byte) 0x80, (byte) 0xBF}); // -1
        }
        assertUsageError("depth.f32", "depth", "eval", "--run", run.toString(), "--data", nan.getParent().toString(), "--bad-depth", "refuse");
        assertEquals(0, run("--threads", "1", "depth", "train", "--data", nan.getParent().toString(), "--out", home.resolve("r3").toString(),
                "--vibration", "off", "--epochs", "1", "--batch", "3"), err.toString());
        assertTrue(out.toString().contains("masked 2 ground-truth depth pixels"), out.toString());
    }
}
