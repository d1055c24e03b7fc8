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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        // --no-progress: the bar (drawn on System.err) stays silent
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream realErr = System.err;
        Run t;
        System.setErr(new java.io.PrintStream(stderr, true));
        try {
            t = run("--threads", "1", "influence", "train", "--data", f.toString(), "--label", "kind", "--train-size",
                    "40", "--rho", "0.2", "--lr", "0.5", "--checkpoint-every", "20", "--out", model.toString(),
                    "--no-progress");
        } finally {
            System.setErr(realErr);
        }
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("(converged)"), t.out());
        assertTrue(!stderr.toString().contains("SAM training"), stderr.toString());
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

    /**
     * Each setting the influence library refuses ({@code InvalidSettingException}, no longer a bare
     * {@code IllegalArgumentException} that the command used to print as if it were the user's) is one line naming
     * the flag, exit 2, before any training: {@code influence train} with one bad value.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"--rho, -1, --rho", "--micro-batch, -1, --micro-batch", "--weight-decay, -1, --weight-decay",
            "--batch-size, -1, --batch-size", "--steps, 0, --steps", "--checkpoint-every, -1, --checkpoint-every",
            "--tolerance, -1, --tolerance", "--hidden, 0, --hidden", "--model, tree, --model"})
    void refusedTrainingSettingsNameTheirFlag(String flag, String value, String named) throws Exception {
        Path f = csv(), out = dir.resolve("refused");
        String[] extra = flag.equals("--hidden") ? new String[] {"--model", "mlp"} : new String[0];
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--threads", "1", "influence", "train",
                "--data", f.toString(), "--label", "kind", "--train-size", "40", "--out", out.toString(), flag, value));
        args.addAll(java.util.List.of(extra));
        FrugalCommandTest.Run r = FrugalCommandTest.frugal(args.toArray(String[]::new));
        FrugalCommandTest.assertUserError(r, named + " ");
        assertTrue(!Files.exists(out) || Files.list(out).findAny().isEmpty(), "a refused run must not train: " + r.describe());
    }

    /** The same for {@code influence score}'s solver settings and {@code mislabel}'s method list. */
    @Test
    void refusedScoringSettingsNameTheirFlag() throws Exception {
        Path f = csv(), model = dir.resolve("m");
        Run t = run("--threads", "1", "influence", "train", "--data", f.toString(), "--label", "kind", "--train-size",
                "40", "--rho", "0.2", "--lr", "0.5", "--out", model.toString());
        assertEquals(0, t.code(), t.err());
        String out = dir.resolve("s.csv").toString();
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "score", "--model", model.toString(),
                "--solver", "cg", "--cg-iterations", "0", "--out", out), "--cg-iterations must be >= 1");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "score", "--model", model.toString(),
                "--solver", "lissa", "--lissa-depth", "0", "--out", out), "--lissa-depth must be >= 1");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "score", "--model", model.toString(),
                "--solver", "newton", "--out", out), "--solver newton: use exact, cg or lissa");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "score", "--model", model.toString(),
                "--method", "shapley", "--out", out), "--method 'shapley' is not one of");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "score", "--model", model.toString(),
                "--max-grad-norm", "0", "--out", out), "--max-grad-norm must be > 0");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "mislabel", "--data", f.toString(),
                "--label", "kind", "--train-size", "40", "--methods", "if,shapley", "--json", dir.resolve("m.json").toString()),
                "--methods 'shapley' is not one of");
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

    @Test
    void mislabelRepeatsOverSeedsAndSummarises() throws Exception {
        Path f = csv(), js = dir.resolve("rep.json"), png = dir.resolve("rep.png");
        FrugalCommandTest.assertUserError(FrugalCommandTest.frugal("influence", "mislabel", "--data", f.toString(),
                "--label", "kind", "--train-size", "40", "--repeats", "0"), "--repeats must be >= 1");
        Run ok = run("--threads", "1", "influence", "mislabel", "--data", f.toString(), "--label", "kind",
                "--train-size", "40", "--steps", "3", "--force", "--methods", "if,tracin,loss", "--seed", "5",
                "--repeats", "2", "--json", js.toString(), "--png", png.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("seed 5") && ok.out().contains("seed 6") && ok.out().contains("over 2 seeds"),
                ok.out());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Files.readString(js));
        assertEquals(2, j.get("seeds").size());
        assertEquals(5, j.get("seeds").get(0).asLong());
        boolean seedsDiffer = false;
        for (String m : new String[] {"if", "tracin", "loss"}) {
            com.fasterxml.jackson.databind.JsonNode per = j.get("auc_" + m + "_per_seed");
            seedsDiffer |= per.get(0).asDouble() != per.get(1).asDouble();
            assertEquals(2, per.size(), m);
            double mean = (per.get(0).asDouble() + per.get(1).asDouble()) / 2;
            assertEquals(mean, j.get("auc_" + m).asDouble(), 1e-12, m);
            assertEquals(Math.abs(per.get(0).asDouble() - per.get(1).asDouble()) / 2, j.get("auc_" + m + "_se").asDouble(),
                    1e-12, m); // two values: SE = |a − b| / 2
        }
        assertTrue(seedsDiffer, "both repeats gave the same AUCs: were the seeds (labels flipped, training) the same? " + j);
        assertTrue(Files.size(png) > 0);
    }
}
