package dev.frugal.cli;

import static dev.frugal.cli.FrugalCommandTest.assertUserError;
import static dev.frugal.cli.FrugalCommandTest.frugal;
import static dev.frugal.cli.FrugalCommandTest.opt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.cli.FrugalCommandTest.Run;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The commands of the README's table under bad input, each case a bug found by trying them as a new user would
 * (issue #13): every mistake exits 2 with one line naming the option, before anything slow runs and without writing
 * anything; the faults that used to hang or print "unexpected" are user errors now.
 */
class BadInputCliTest extends TempHomeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A copy of the OPT fixture that {@code edit} may change. */
    private Path optCopy(String name) throws IOException {
        Path dir = home.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(Path.of(opt()))) {
            for (Path f : s.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        return dir;
    }

    /** {@code n} JSON lines of 16 token ids each (no tokenizer needed), ids in [4, the fixture's vocabulary). */
    private Path idsFile(int n) throws IOException {
        Path f = home.resolve("ids.jsonl");
        int vocab = dev.frugal.model.HfConfig.read(Path.of(opt())).requireInt("vocab_size");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int base = 4 + 7 * i;
            lines.add("{\"input_ids\": [" + IntStream.range(0, 16).mapToObj(k -> Integer.toString((base + 13 * k) % (vocab - 4) + 4))
                    .collect(Collectors.joining(",")) + "]}");
        }
        Files.write(f, lines);
        return f;
    }

    /**
     * A word-level tokenizer.json over {@code words} (ids 4..), in the Hugging Face tokenizers format; ids 0..3 are
     * special. Small enough for the fixture's vocabulary.
     */
    private Path wordTokenizer(Path dir, List<String> words) throws IOException {
        StringBuilder vocab = new StringBuilder("\"<pad>\": 1, \"</s>\": 2, \"<unk>\": 3");
        for (int i = 0; i < words.size(); i++) vocab.append(", \"").append(words.get(i)).append("\": ").append(i + 4);
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, """
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
                 "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": null,
                 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": false},
                 "model": {"type": "WordLevel", "vocab": {%s}, "unk_token": "<unk>"}}
                """.formatted(vocab));
        return f;
    }

    private static List<JsonNode> metrics(Path out) throws IOException {
        List<JsonNode> r = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("metrics.jsonl"))) r.add(JSON.readTree(l));
        return r;
    }

    // ---- zo train -------------------------------------------------------------------------------------------------

    @Test
    void zoLmBatchZeroIsRefusedInsteadOfHanging() throws IOException {
        Path data = idsFile(12), out = home.resolve("run");
        Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> frugal("zo", "train", "--model", opt(),
                "--task", "lm", "--data", data.toString(), "--batch", "0", "--out", out.toString(), "--no-progress"));
        assertUserError(r, "--batch must be >= 1, got 0");
        assertFalse(Files.exists(out), "a rejected run leaves nothing behind");
    }

    @Test
    void zoOptionsAreCheckedBeforeAnythingLoadsAndNameTheOption() throws IOException {
        Path data = idsFile(12), out = home.resolve("run");
        String[] base = {"zo", "train", "--model", opt(), "--task", "lm", "--data", data.toString(), "--out",
                out.toString(), "--no-progress"};
        record Case(String option, String value, String expected) {}
        for (Case c : List.of(new Case("--steps", "-1", "--steps must be >= 0"),
                new Case("--checkpoint-every", "-2", "--checkpoint-every must be >= 0"),
                new Case("--eval-every", "-1", "--eval-every must be >= 0"),
                new Case("--eps", "0", "--eps must be > 0"),
                new Case("--resident-blocks", "0", "--resident-blocks must be >= 1"),
                new Case("--save-total-limit", "0", "--save-total-limit must be >= 1"),
                new Case("--offload", "cloud", "--offload"),
                new Case("--storage-dtype", "int8", "--storage-dtype"),
                new Case("--rng", "philox", "--rng"),
                new Case("--tune", "top2", "--tune"),
                new Case("--tune", "head+top0", "--tune"),
                new Case("--spsa-samples", "0", "--spsa-samples must be >= 1"),
                new Case("--spsa-samples", "4", "--spsa-samples (4) > 1 needs --tune head"))) {
            String[] args = Stream.concat(Stream.of(base), Stream.of(c.option(), c.value())).toArray(String[]::new);
            Run r = frugal(args);
            assertEquals(Main.EXIT_USAGE, r.code(), c + "\n" + r.describe());
            assertTrue(r.err().contains(c.expected()), c + "\n" + r.describe());
            assertFalse(r.err().contains("\tat "), r.describe());
            assertFalse(Files.exists(out), c + ": a rejected run leaves nothing behind (no empty metrics.jsonl)");
        }
    }

    @Test
    void zoSettingsBeyondTheModelOrTheDataAreRefused() throws IOException {
        Path data = idsFile(12), out = home.resolve("run");
        int blocks, ctx;
        try (CausalLM m = Models.loadCausalLM(Path.of(opt()), Device.CPU)) {
            blocks = m.blockParams().size();
            ctx = m.config().maxPositions();
        }
        String[] base = {"zo", "train", "--model", opt(), "--task", "lm", "--data", data.toString(), "--out",
                out.toString(), "--no-progress", "--steps", "1"};
        assertUserError(frugal(concat(base, "--resident-blocks", Integer.toString(blocks + 1))),
                "--resident-blocks (" + (blocks + 1) + ") exceeds the " + blocks + " blocks");
        assertUserError(frugal(concat(base, "--tune", "head+top" + (blocks + 1))),
                "--tune (head+top" + (blocks + 1) + ") exceeds the " + blocks + " blocks");
        assertUserError(frugal(concat(base, "--seq-len", Integer.toString(ctx + 1))),
                "--seq-len (" + (ctx + 1) + ") exceeds the " + ctx + " positions");
        // 12 lines × 16 ids = 192 tokens = 12 sequences of 16, 1 held out: 11 to train on
        assertUserError(frugal(concat(base, "--seq-len", "16", "--batch", "12")), "--batch (12) exceeds the 11 training sequences");
        assertUserError(frugal("zo", "train", "--model", "minilm-typo", "--steps", "1"), "minilm-typo");
        assertFalse(Files.exists(out));
    }

    @Test
    void distributedZoRunsOnTheParallelStreamAndItsCheckpointRefusesMezosOnResume() throws IOException {
        Path data = idsFile(12), out = home.resolve("dist");
        String[] base = {"zo", "train", "--model", opt(), "--task", "lm", "--data", data.toString(), "--out",
                out.toString(), "--no-progress", "--seq-len", "16", "--batch", "4", "--offload", "none", "--threads", "1",
                "--spark-master", "local[2]", "--workers", "2", "--parallel", "pertp", "--checkpoint-every", "2"};
        Run first = frugal(concat(base, "--steps", "2", "--rng", "parallel"));
        assertEquals(0, first.code(), first.describe());
        assertTrue(first.out().contains("z stream parallel") && first.out().contains("replicas bit-identical"), first.out());
        Path ck = out.resolve("checkpoints").resolve("step-00000002").resolve("trainer_state.json");
        assertTrue(Files.readString(ck).contains("\"PARALLEL\""), Files.readString(ck));
        // --spark-master's default stream is MeZO's: resuming without --rng parallel would change the trajectory
        assertUserError(frugal(concat(base, "--steps", "3", "--resume")), "--rng (mezo) differs from the z stream of");
        // so would another learning rate: the distributed run checks the checkpoint as the single-process one does
        assertUserError(frugal(concat(base, "--steps", "3", "--resume", "--rng", "parallel", "--lr", "2e-5")),
                "--lr 1.0E-5 --weight-decay 0.0; pass the same values to continue its trajectory");
        Run resumed = frugal(concat(base, "--steps", "3", "--resume", "--rng", "parallel"));
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("eval loss at the checkpoint (step 2)"), resumed.out());
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @Test
    void zoNSpsaRunsWithTheHeadAndItsCheckpointRefusesAnotherN() throws IOException {
        Path data = idsFile(12), out = home.resolve("nspsa");
        String gpt2 = Path.of(opt()).resolveSibling("gpt2").toString(); // a fixture with a head of its own
        String[] base = {"zo", "train", "--model", gpt2, "--task", "lm", "--data", data.toString(), "--out",
                out.toString(), "--no-progress", "--seq-len", "16", "--batch", "2", "--offload", "host", "--threads", "1",
                "--tune", "head", "--rng", "mezo"};
        Run first = frugal(concat(base, "--steps", "2", "--spsa-samples", "3", "--checkpoint-every", "2"));
        assertEquals(0, first.code(), first.describe());
        List<JsonNode> steps = metrics(out).stream().filter(n -> n.path("event").asText().equals("step")).toList();
        assertEquals(2, steps.size());
        for (JsonNode s : steps) {
            assertEquals(3, s.get("spsa_samples").asInt(), s.toString());
            assertEquals(3, s.get("projected_grads").size(), s.toString());
        }
        assertTrue(Files.readString(out.resolve("checkpoints/step-00000002/trainer_state.json")).contains("\"samples\" : 3"));
        assertUserError(frugal(concat(base, "--steps", "4", "--resume", "--spsa-samples", "2")),
                "--spsa-samples (2) differs from the 3 that");
        Run resumed = frugal(concat(base, "--steps", "3", "--resume", "--spsa-samples", "3"));
        assertEquals(0, resumed.code(), resumed.describe());
    }

    @Test
    void zoResumeCountsOnlyTheStepsItRunsAndKeepsOneLinePerStep() throws IOException {
        Path data = idsFile(12), out = home.resolve("run");
        String[] base = {"zo", "train", "--model", opt(), "--task", "lm", "--data", data.toString(), "--out",
                out.toString(), "--no-progress", "--seq-len", "16", "--batch", "2", "--offload", "none", "--threads", "1"};
        Run first = frugal(concat(base, "--steps", "4", "--checkpoint-every", "2", "--save-total-limit", "2"));
        assertEquals(0, first.code(), first.describe());
        assertTrue(first.out().contains("(4 steps,"), first.out());
        // a kill after step 3 was logged but before its checkpoint: the latest good checkpoint is step 2
        Path ck = out.resolve("checkpoints");
        dev.frugal.io.FileTrees.delete(ck.resolve("step-00000004"));
        Files.writeString(ck.resolve("latest"), "step-00000002");
        Run nothing = frugal(concat(base, "--steps", "2", "--resume"));
        assertUserError(nothing, "--steps (2) must exceed the 2 steps the checkpoint step-00000002 has completed");
        // zo train's default z stream is the parallel one; the checkpoint records it and refuses the other
        assertTrue(Files.readString(ck.resolve("step-00000002").resolve("trainer_state.json")).contains("\"PARALLEL\""));
        assertUserError(frugal(concat(base, "--steps", "5", "--resume", "--rng", "mezo")),
                "--rng (mezo) differs from the z stream of");
        assertUserError(frugal(concat(base, "--steps", "5", "--resume", "--weight-decay", "0.1")),
                "was trained with --seed");
        Run resumed = frugal(concat(base, "--steps", "5", "--resume", "--checkpoint-every", "2", "--save-total-limit", "2"));
        assertEquals(0, resumed.code(), resumed.describe());
        assertTrue(resumed.out().contains("eval loss at the checkpoint (step 2)"), resumed.out());
        assertTrue(resumed.out().contains("(3 steps,"), "summary counts the steps run:\n" + resumed.out());
        List<Long> steps = metrics(out).stream().filter(n -> n.path("event").asText().equals("step"))
                .map(n -> n.get("step").asLong()).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), steps, "one line per step, none repeated after the resume");
        assertTrue(metrics(out).stream().allMatch(n -> n.has("event")), "every metrics line has an event");
        try (Stream<Path> s = Files.list(ck)) {
            assertEquals(Set.of("latest", "step-00000004", "step-00000005"),
                    s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "--save-total-limit 2");
        }
    }

    // ---- generate -------------------------------------------------------------------------------------------------

    @Test
    void nonFiniteWeightsAreAnErrorWhetherGreedyOrSampling() throws IOException {
        Path dir = optCopy("nan");
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            m.parameter(m.parameterNames().getFirst()).fillInPlace(Double.NaN); // the token embedding: every logit
            Models.save(m, dir);
        }
        assertUserError(frugal("generate", "--model", dir.toString(), "--prompt-ids", "2,10", "--max-new-tokens", "3",
                "--greedy"), "logits are NaN or infinite");
        assertUserError(frugal("generate", "--model", dir.toString(), "--prompt-ids", "2,10", "--max-new-tokens", "3",
                "--temperature", "0.7"), "logits are NaN or infinite");
    }

    @Test
    void configJsonThatIsADirectoryIsReportedAsSuch() throws IOException {
        Path dir = optCopy("cfgdir");
        Files.delete(dir.resolve("config.json"));
        Files.createDirectory(dir.resolve("config.json"));
        assertUserError(frugal("generate", "--model", dir.toString(), "--prompt-ids", "2", "--max-new-tokens", "1"),
                "config.json: is a directory");
        assertUserError(frugal("zo", "train", "--model", dir.toString(), "--task", "lm", "--data", idsFile(12).toString(),
                "--out", home.resolve("r").toString()), "config.json is a directory");
    }

    @Test
    void aCorruptTokenizerIsAUserError() throws IOException {
        Path dir = optCopy("badtok");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordLevel\", \"vocab\": ");
        Run r = frugal("generate", "--model", dir.toString(), "--prompt", "hello", "--max-new-tokens", "1");
        assertUserError(r, "tokenizer.json");
    }

    @Test
    void generateFollowsTheGenerationConfigAndDecodesText() throws IOException {
        Path dir = optCopy("words");
        List<String> words = List.of("the", "cat", "sat", "on", "mat", "a", "dog");
        wordTokenizer(dir, words);
        // a generation_config.json without do_sample: greedy, as in transformers (whatever the fixture ships)
        Files.writeString(dir.resolve("generation_config.json"), "{\"_from_model_config\": true}");
        Run r = frugal("generate", "--model", dir.toString(), "--prompt", "the cat", "--max-new-tokens", "3",
                "--ignore-eos", "--threads", "1");
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().contains("decoding:  greedy"), r.out());
        assertTrue(r.out().contains("prompt:    the cat"), "decoded text, not ids:\n" + r.out());
        Run ids = frugal("generate", "--model", dir.toString(), "--prompt", "the cat", "--max-new-tokens", "3",
                "--ignore-eos", "--ids", "--threads", "1");
        assertEquals(0, ids.code(), ids.describe());
        assertTrue(ids.out().contains("prompt:    4,5"), ids.out());
        Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\": true, \"top_k\": 5, \"temperature\": 0.5}");
        Run sampled = frugal("generate", "--model", dir.toString(), "--prompt-ids", "4,5", "--max-new-tokens", "2",
                "--threads", "1");
        assertEquals(0, sampled.code(), sampled.describe());
        assertTrue(sampled.out().contains("sampling, temperature 0.5, top-k 5"), sampled.out());
        Run help = frugal("generate", "--help");
        assertTrue(help.out().contains("generation_config.json") && help.out().contains("samples"), help.out());
    }

    // ---- bench dp -------------------------------------------------------------------------------------------------

    @Test
    void benchDpRefusesConflictingSizesAndBadStepsBeforeBuildingAModel() {
        assertUserError(frugal("bench", "dp", "--quick", "--size", "large"), "--quick");
        assertUserError(frugal("bench", "dp", "--size", "large", "--steps", "0"), "--steps must be >= 1, got 0");
        assertUserError(frugal("bench", "dp", "--repeats", "0"), "--repeats must be >= 1, got 0");
        Run unknown = frugal("bench", "dp", "--size", "huge");
        assertEquals(Main.EXIT_USAGE, unknown.code(), unknown.describe());
        assertTrue(unknown.err().contains("huge"), unknown.describe());
    }

    @Test
    void benchZoAndDistZoRefuseBadSettingsBeforeStartingAnything() {
        assertUserError(frugal("bench", "zo", "--malloc", "sometimes"), "--malloc must be engine, reuse or return");
        assertUserError(frugal("bench", "zo", "--profile", "--modes", "inmem"), "--profile runs no modes");
        assertUserError(frugal("bench", "dist-zo", "--size", "huge"), "unknown dist-zo bench size 'huge'");
        assertUserError(frugal("bench", "dist-zo", "--quick", "--size", "large"), "--quick");
        assertUserError(frugal("bench", "dist-zo", "--repeats", "0"), "--repeats must be >= 1, got 0");
    }

    @Test
    void benchDpLargeIsGpt2SmallAndItsPerSampleGradientsTakeSeveralGigabytes() {
        DpBenchCommand.Size large = DpBenchCommand.Size.large;
        assertEquals(768, large.hidden);
        assertEquals(12, large.heads);
        assertEquals(12, large.blocks);
        assertEquals(50257, large.vocab);
        // GPT-2 small has 124,439,808 parameters with 1024 positions; the bench keeps `seq` of them
        assertEquals(124_439_808L - (1024L - large.seq) * 768, large.parameters());
        double perSampleGb = 4.0 * large.batch * large.parameters() / 1e9;
        assertTrue(perSampleGb > 4, "the explicit baseline's per-sample gradients: " + perSampleGb + " GB");
    }

    // ---- dp train -------------------------------------------------------------------------------------------------

    @Test
    void dpSettingsAreRefusedBeforeLoadingAndLeaveNothing() {
        Path out = home.resolve("dp");
        String[] base = {"dp", "train", "--model", "mlp", "--task", "fmnist", "--batch", "64", "--out", out.toString()};
        assertUserError(frugal(concat(base, "--sigma", "0")), "--sigma (the noise multiplier) must be > 0");
        assertUserError(frugal(concat(base, "--sigma", "1", "--delta", "2")), "--delta (δ) must be in (0, 1)");
        assertUserError(frugal(concat(base, "--sigma", "1", "--epochs", "0")), "--epochs must be >= 1");
        assertUserError(frugal(concat(base, "--sigma", "1", "--lr", "-1")), "--lr must be > 0");
        Run maxTrain = frugal(concat(base, "--sigma", "1", "--max-train", "0"));
        assertEquals(Main.EXIT_USAGE, maxTrain.code(), maxTrain.describe());
        assertTrue(maxTrain.err().contains("--max-train must be >= 1"), maxTrain.describe());
        Run clipping = frugal(concat(base, "--sigma", "1", "--clipping", "sideways"));
        assertEquals(Main.EXIT_USAGE, clipping.code(), clipping.describe());
        assertTrue(clipping.err().contains("'sideways' is not one of per-layer, flat"), clipping.describe());
        assertFalse(Files.exists(out), "a rejected run leaves nothing behind");
    }

    @Test
    void dpLmTakesATokenizerAndRefusesABatchBeyondTheData() throws IOException {
        Path dir = optCopy("lm"), out = home.resolve("dp");
        Path tok = wordTokenizer(home, List.of("the", "cat", "sat", "on", "mat", "a", "dog", "ran"));
        Path text = home.resolve("text.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) lines.add(i % 2 == 0 ? "the cat sat on the mat" : "a dog ran on a mat");
        Files.write(text, lines);
        assertFalse(Files.exists(dir.resolve("tokenizer.json")));
        String[] base = {"dp", "train", "--model", dir.toString(), "--task", "lm", "--text", text.toString(),
                "--tokenizer", tok.toString(), "--seq-len", "8", "--sigma", "1", "--seed", "3", "--out", out.toString(),
                "--threads", "1"};
        assertUserError(frugal(concat(base, "--batch", "19")), "--batch (19) exceeds the 18 training examples");
        assertFalse(Files.exists(out));
        Run r = frugal(concat(base, "--batch", "6"));
        assertEquals(0, r.code(), r.describe());
        List<JsonNode> m = metrics(out);
        assertTrue(m.stream().allMatch(n -> n.has("event")), "one schema with zo train: every line has an event");
        Set<String> events = new HashSet<>();
        m.forEach(n -> events.add(n.get("event").asText()));
        assertEquals(Set.of("config", "step", "eval", "result"), events);
        assertTrue(m.stream().filter(n -> n.get("event").asText().equals("step")).allMatch(n -> n.has("loss")));
    }
}
