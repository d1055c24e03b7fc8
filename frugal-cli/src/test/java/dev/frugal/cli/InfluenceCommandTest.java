package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code frugal influence} on a user's CSV: train, score, loo, and one-line refusals of bad input (exit 2). */
class InfluenceCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.commandLine(new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    private Path csv() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder("height,weight,kind,age\n");
        for (int i = 0; i < 60; i++) {
            String kind = i % 2 == 0 ? "cat" : "dog";
            double s = i % 2 == 0 ? -1 : 1;
            sb.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%s,%.3f%n", s + r.nextGaussian(),
                    2 * s + r.nextGaussian(), kind, r.nextGaussian()));
        }
        Path f = dir.resolve("pets.csv");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void trainScoreAndLooOnACsv() throws Exception {
        Path f = csv(), model = dir.resolve("m");
        Run t = run("--threads", "1", "influence", "train", "--data", f.toString(), "--label", "kind", "--train-size",
                "40", "--rho", "0.2", "--lr", "0.5", "--checkpoint-every", "20", "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("(converged)"), t.out());
        Path top = dir.resolve("top.json");
        Run s = run("--threads", "1", "influence", "score", "--model", model.toString(), "--method", "sam-hif",
                "--solver", "cg", "--damping", "1e-4", "--out", top.toString(), "--top-k", "3");
        assertEquals(0, s.code(), s.err());
        String js = Files.readString(top);
        assertTrue(js.contains("\"helpful\"") && js.contains("\"harmful\""), js);
        Path loo = dir.resolve("loo.json"), png = dir.resolve("loo.png");
        Run l = run("--threads", "1", "influence", "loo", "--data", f.toString(), "--label", "kind", "--train-size",
                "40", "--rho", "0.2", "--lr", "0.5", "--tolerance", "1e-10", "--removals", "6", "--lds-subsets", "3",
                "--json", loo.toString(), "--png", png.toString());
        assertEquals(0, l.code(), l.err());
        assertTrue(Files.readString(loo).contains("spearman_sam_hif"), Files.readString(loo));
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path f = csv(), model = dir.resolve("early");
        Run label = run("influence", "train", "--data", f.toString(), "--label", "colour", "--out", dir.toString());
        assertEquals(2, label.code());
        assertTrue(label.err().contains("no such column") && label.err().strip().lines().count() == 1, label.err());
        Run early = run("--threads", "1", "influence", "train", "--data", f.toString(), "--label", "kind",
                "--train-size", "40", "--steps", "2", "--out", model.toString());
        assertEquals(0, early.code(), early.err());
        Run unconverged = run("influence", "score", "--model", model.toString(), "--out", dir.resolve("x.csv").toString());
        assertEquals(2, unconverged.code());
        assertTrue(unconverged.err().contains("--force"), unconverged.err());
        Run damping = run("influence", "score", "--model", model.toString(), "--damping", "0", "--force", "--out",
                dir.resolve("x.csv").toString());
        assertEquals(2, damping.code());
        assertTrue(damping.err().contains("--damping"), damping.err());
    }

    @Test
    void mislabelRefusesAnUnconvergedModelUnlessForced() throws Exception {
        Path f = csv(), js = dir.resolve("mis.json"), png = dir.resolve("mis.png");
        String[] common = {"--threads", "1", "influence", "mislabel", "--data", f.toString(), "--label", "kind",
                "--train-size", "40", "--steps", "3", "--methods", "sam-hif,loss", "--json", js.toString(), "--png",
                png.toString()};
        Run refused = run(common);
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().contains("has not converged") && refused.err().contains("--force")
                && refused.err().strip().lines().count() == 1, refused.err());
        String[] forced = java.util.Arrays.copyOf(common, common.length + 1);
        forced[common.length] = "--force";
        Run ok = run(forced);
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("sam-hif") && ok.out().contains("‖G(θ*)‖"), ok.out());
        assertTrue(Files.readString(js).contains("\"auc_sam_hif\""), Files.readString(js));
    }
}
