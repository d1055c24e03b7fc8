package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code frugal rl pretrain | train} end to end on a tiny model, and every bad input the issue lists (exit 2). */
class RlCommandTest {
    private StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
    }

    private static Path fixture(String arch) { return dev.frugal.model.Fixtures.dir(arch); } // -Dfrugal.fixtures

    private String[] train(Path model, Path outDir, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("--threads", "1", "rl", "train", "--model", model.toString(),
                "--output-dir", outDir.toString(), "--max-steps", "2", "--per-device-train-batch-size", "8",
                "--num-generations", "4", "--micro-group-size", "2", "--eval-steps", "1", "--save-steps", "1",
                "--held-out", "8", "--max-completion-length", "10", "--learning-rate", "1e-3", "--no-progress"));
        for (int i = 0; i + 1 < extra.length; i += 2) { // an extra option replaces the default of the same name
            int at = a.indexOf(extra[i]);
            if (at >= 0) a.set(at + 1, extra[i + 1]);
            else a.addAll(List.of(extra[i], extra[i + 1]));
        }
        return a.toArray(String[]::new);
    }

    @Test
    void pretrainTrainAndEveryBadInput(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny");
        assertEquals(0, run("--threads", "1", "rl", "pretrain", "--out", model.toString(), "--steps", "3", "--hidden", "32",
                "--layers", "1", "--heads", "2", "--kv-heads", "1", "--intermediate", "64", "--held-out", "8",
                "--no-progress"), err.toString());
        assertTrue(Files.isRegularFile(model.resolve("config.json")) && Files.isRegularFile(model.resolve("model.safetensors")));
        assertEquals(0, run("generate", "--model", model.toString(), "--prompt-ids", "1,24,4,5,22", "--max-new-tokens", "3",
                "--greedy"), err.toString());

        Path o = dir.resolve("run");
        assertEquals(0, run(train(model, o)), err.toString());
        List<String> lines = Files.readAllLines(o.resolve("metrics.jsonl"));
        assertEquals(3, lines.size(), lines.toString()); // the start evaluation, then 2 steps
        assertTrue(lines.get(1).contains("\"reward\"") && lines.get(1).contains("\"eval/exact_match\"")
                && lines.get(1).contains("\"eval/exact_match_greedy\""), lines.get(1));
        assertTrue(Files.size(o.resolve("reward_curve.png")) > 1000);
        assertTrue(Files.isRegularFile(o.resolve("checkpoint-2").resolve("trainer_state.json")));
        assertTrue(Files.isRegularFile(o.resolve("final").resolve("model.safetensors")));
        assertTrue(out.toString().contains("held-out exact match:"), out.toString());

        expectUsage(train(model, o, "--per-device-train-batch-size", "10"), "not a multiple of --num-generations 4");
        expectUsage(train(model, o, "--micro-group-size", "5"), "g must be <= G");
        expectUsage(train(model, o, "--kv-budget-mb", "0.0001"), "smaller than one sequence");
        expectUsage(train(model, o, "--max-completion-length", "0"), "--max-completion-length must be >= 1");
        expectUsage(train(model, o, "--max-completion-length", "90"), "exceeds the model's 96 positions");
        expectUsage(train(model, o, "--held-out", "2001"), "--held-out must be in [1, 2000]");
        expectUsage(train(model, o, "--eval-samples", "0"), "--eval-samples must be >= 1");
        expectUsage(train(model, o, "--lr-scheduler-type", "cosine"), "--lr-scheduler-type 'cosine'");
        expectUsage(train(model, o, "--beta", "0.1", "--ref-model", fixture("qwen3").toString()),
                "the reference must have the policy's architecture");
        expectUsage(train(model, o, "--beta", "0.1", "--ref-model", fixture("llama").toString()), "vocabulary");
        expectUsage(train(model, dir.resolve("run2"), "--resume-from", o.resolve("checkpoint-2").toString(), "--seed", "43"),
                "resume with the same settings");
        expectUsage(train(model, o, "--loss-type", "ppo"), "--loss-type 'ppo'");
        // a model pretrained on an older task family (another vocabulary) is named, not trained on
        Path stale = dir.resolve("stale");
        Files.createDirectories(stale);
        for (String f : List.of("config.json", "model.safetensors"))
            Files.copy(model.resolve(f), stale.resolve(f));
        Files.writeString(stale.resolve("task_family.json"), Files.readString(model.resolve("task_family.json"))
                .replace(dev.frugal.rl.task.CharVocab.CHARS, "0123456789abcdefgh+=*:ACKRS"));
        expectUsage(train(stale, dir.resolve("run3")), "pretrained on another version of the task family");
        expectUsage(train(model, o, "--sampling", "magic"), "--sampling 'magic'");
        // the resumed run with the same settings continues from step 2 to 3
        assertEquals(0, run(train(model, o, "--resume-from", o.resolve("checkpoint-2").toString(), "--max-steps", "3")),
                err.toString());
        assertTrue(Files.isRegularFile(o.resolve("checkpoint-3").resolve("config.json")));
    }

    /**
     * Each model size of {@code rl pretrain} below its minimum is one line naming its flag, exit 2, before anything is
     * built (it was an {@code IllegalArgumentException} that surfaced as "unexpected", exit 1).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"--hidden, 0, --hidden must be >= 2", "--layers, 0, --layers must be >= 1",
            "--heads, 0, --heads must be >= 1", "--kv-heads, 0, --kv-heads must be >= 1",
            "--intermediate, 0, --intermediate must be >= 1"})
    void pretrainSizesBelowTheirMinimumNameTheFlag(String flag, String value, String message, @TempDir Path dir) {
        Path model = dir.resolve("tiny");
        FrugalCommandTest.Run r = FrugalCommandTest.frugal("--threads", "1", "rl", "pretrain", "--out", model.toString(),
                "--steps", "1", flag, value, "--no-progress");
        FrugalCommandTest.assertUserError(r, message);
        assertTrue(!Files.exists(model.resolve("model.safetensors")), r.describe());
    }

    /** The GPU setting of the bench is refused on the CPU before anything is built (it would take hours). */
    @Test
    void theQwen3BenchShapeNeedsCuda(@TempDir Path dir) {
        FrugalCommandTest.Run r = FrugalCommandTest.frugal("--threads", "1", "bench", "grpo-sampling", "--quick", "--shape",
                "qwen3-1.7b", "--model", dir.toString());
        FrugalCommandTest.assertUserError(r, "--shape qwen3-1.7b is the GPU setting");
    }

    private void expectUsage(String[] args, String fragment) {
        int rc = run(args);
        String e = err.toString();
        assertEquals(2, rc, "exit code for " + fragment + ": " + e);
        assertTrue(e.contains(fragment), "expected '" + fragment + "' in: " + e);
    }
}
