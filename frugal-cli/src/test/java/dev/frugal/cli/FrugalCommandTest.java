package dev.frugal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.tensor.Backend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@code frugal} command in process, through {@link Main#commandLine} (picocli plus frugal's error report): what
 * {@code info} and {@code generate} print, and that every user mistake ends in exit code 2 with one line naming the
 * problem, never a stack trace.
 */
class FrugalCommandTest {
    /** Exit code, standard output and standard error of one command. */
    record Run(int code, String out, String err) {
        List<String> errLines() { return err.lines().filter(l -> !l.isBlank()).toList(); }

        String describe() { return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err; }
    }

    static Run frugal(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The fixture root (core's locator: {@code -Dfrugal.fixtures}; fails when it is missing). */
    static Path fixtures() { return dev.frugal.model.Fixtures.root(); }

    static String opt() { return dev.frugal.model.Fixtures.dir("opt").toString(); }

    static String csv(long[] ids) { return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(",")); }

    /** A user mistake: exit 2, exactly one line on stderr, starting "frugal: " and containing {@code expected}. */
    static void assertUserError(Run r, String expected) {
        assertEquals(Main.EXIT_USAGE, r.code(), r.describe());
        assertEquals(1, r.errLines().size(), "one line expected:\n" + r.describe());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("frugal: ") && line.contains(expected), "expected '" + expected + "':\n" + r.describe());
        assertFalse(r.err().contains("\tat "), "no stack trace for a user mistake:\n" + r.describe());
    }

    @Test
    void infoPrintsVersionsThreadsAndBackend() {
        Run r = frugal("--threads", "2", "info");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("libtorch     " + Backend.LIBTORCH_VERSION), r.out());
        assertTrue(r.out().contains("ATen 2"), r.out());
        assertTrue(r.out().contains("BLAS_INFO="), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("data sets    spam ")), r.out());
        assertTrue(r.out().startsWith("frugal       " + FrugalCommand.version()), r.out());
        assertFalse(FrugalCommand.version().contains("${"), "version not filtered: " + FrugalCommand.version());
    }

    @Test
    void greedyGenerationReproducesTheFixture() {
        try (SafetensorsFile ref = SafetensorsFile.open(fixtures().resolve("opt/reference.safetensors"))) {
            long[] prompt = ref.tensor("greedy_prompt").toLongArray();   // (1, 6)
            long[] expected = ref.tensor("greedy_output").toLongArray(); // (1, 16)
            long[] fresh = Arrays.copyOfRange(expected, prompt.length, expected.length);
            // --threads after the subcommand: the global option is inherited
            Run r = frugal("generate", "--model", opt(), "--prompt-ids", csv(prompt), "--max-new-tokens",
                    String.valueOf(fresh.length), "--greedy", "--threads", "1");
            assertEquals(0, r.code(), r.describe());
            String generated = r.out().lines().filter(l -> l.startsWith("generated:")).findFirst().orElseThrow();
            assertEquals(csv(fresh), generated.substring("generated:".length()).strip(), r.out());
            assertTrue(r.out().contains("tokens/s"), r.out());
            assertTrue(r.out().contains("1 thread(s)"), r.out());
            assertArrayEquals(prompt, PromptEncoder.parseIds(csv(prompt)));
        }
    }

    @Test
    void seededSamplingIsReproducible() {
        int vocab = dev.frugal.model.HfConfig.read(Path.of(opt())).json().get("vocab_size").asInt();
        String prompt = csv(new long[] {2, vocab / 5, vocab * 2 / 5}); // spread over the fixture's vocabulary
        String[] args = {"generate", "--model", opt(), "--prompt-ids", prompt, "--max-new-tokens", "8",
                "--temperature", "0.8", "--top-k", "20", "--top-p", "0.9", "--seed", "7", "--ignore-eos"};
        Run a = frugal(args), b = frugal(args);
        assertEquals(0, a.code(), a.describe());
        String ga = a.out().lines().filter(l -> l.startsWith("generated:")).findFirst().orElseThrow();
        String gb = b.out().lines().filter(l -> l.startsWith("generated:")).findFirst().orElseThrow();
        assertEquals(ga, gb);
        assertEquals(8, ga.substring("generated:".length()).strip().split(",").length, ga);
        // and the seed is used: some other seed samples other tokens
        boolean differs = false;
        for (String seed : new String[] {"8", "9", "10"}) {
            String[] other = args.clone();
            other[java.util.Arrays.asList(args).indexOf("--seed") + 1] = seed;
            Run c = frugal(other);
            assertEquals(0, c.code(), c.describe());
            differs |= !c.out().lines().filter(l -> l.startsWith("generated:")).findFirst().orElseThrow().equals(ga);
        }
        assertTrue(differs, "seeds 7 to 10 sampled the same tokens: " + ga);
    }

    @Test
    void missingModelDirectoryIsOneLineNamingThePath() {
        String bad = fixtures().resolve("no-such-model").toString();
        assertUserError(frugal("generate", "--model", bad, "--prompt-ids", "1,2", "--max-new-tokens", "2", "--greedy"),
                bad + ": no such directory");
    }

    @Test
    void directoryWithoutConfigIsOneLineNamingTheFile(@org.junit.jupiter.api.io.TempDir Path empty) {
        assertUserError(frugal("generate", "--model", empty.toString(), "--prompt-ids", "1,2", "--max-new-tokens", "2",
                "--greedy"), empty.resolve("config.json").toString());
    }

    @Test
    void truncatedCheckpointIsOneLineNamingTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path src = fixtures().resolve("opt");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        byte[] weights = Files.readAllBytes(src.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2));
        assertUserError(frugal("generate", "--model", dir.toString(), "--prompt-ids", "1,2", "--max-new-tokens", "2",
                "--greedy"), dir.resolve("model.safetensors").toString());
    }

    @Test
    void promptLongerThanTheContextIsRefused() {
        int ctx = dev.frugal.model.HfConfig.read(Path.of(opt())).json().get("max_position_embeddings").asInt();
        long[] ids = new long[ctx - 4];
        Arrays.fill(ids, 5);
        assertUserError(frugal("generate", "--model", opt(), "--prompt-ids", csv(ids), "--max-new-tokens", "10",
                "--greedy"), "--max-new-tokens (10) + prompt (" + (ctx - 4) + " tokens) = " + (ctx + 6)
                + " exceeds the model's context of " + ctx);
    }

    @Test
    void topPAboveOneIsRefusedBeforeLoading() {
        assertUserError(frugal("generate", "--model", opt(), "--prompt-ids", "1,2", "--max-new-tokens", "2",
                "--top-p", "1.5"), "--top-p must be in (0, 1], got 1.5");
    }

    @Test
    void otherValidationErrorsAreOneLine() {
        assertUserError(frugal("generate", "--model", opt(), "--prompt-ids", "1,x", "--max-new-tokens", "2"),
                "'x' is not a token id");
        assertUserError(frugal("generate", "--model", opt(), "--prompt-ids", "1,2", "--max-new-tokens", "2",
                "--greedy", "--seed", "3"), "--greedy takes no sampling options");
        assertUserError(frugal("generate", "--model", opt(), "--prompt", "hello", "--max-new-tokens", "2"),
                "has no tokenizer.json; use --prompt-ids");
        assertUserError(frugal("--device", "tpu", "generate", "--model", opt(), "--prompt-ids", "1", "--max-new-tokens",
                "2", "--greedy"), "--device must be cpu, cuda or cuda:N, got 'tpu'");
        assertUserError(frugal("generate", "--model", opt(), "--prompt-ids", "1,2", "--max-new-tokens", "0"),
                "--max-new-tokens must be >= 1");
        assertUserError(frugal("--threads", "0", "info"), "--threads must be >= 1");
    }

    @Test
    void debugPrintsTheStackTrace() {
        Run r = frugal("--debug", "generate", "--model", opt(), "--prompt-ids", "1,2", "--max-new-tokens", "2",
                "--top-p", "1.5");
        assertEquals(Main.EXIT_USAGE, r.code(), r.describe());
        assertTrue(r.err().startsWith("frugal: --top-p") && r.err().contains("\tat "), r.describe());
    }

    @Test
    void parameterErrorsPrintUsage() {
        Run r = frugal("generate", "--prompt-ids", "1,2", "--max-new-tokens", "2");
        assertEquals(Main.EXIT_USAGE, r.code(), r.describe());
        assertTrue(r.err().contains("Missing required option: '--model=DIR'") && r.err().contains("Usage: frugal generate"),
                r.describe());
        Run none = frugal();
        assertEquals(Main.EXIT_USAGE, none.code(), none.describe());
        assertTrue(none.err().contains("Usage: frugal"), none.describe());
        Run help = frugal("--help");
        assertEquals(0, help.code(), help.describe());
        assertTrue(help.out().contains("generate") && help.out().contains("info"), help.describe());
    }
}
