package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.Checkpoint;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights that do not fit the architecture config.json describes fail in {@link Models#loadCausalLM} with a
 * {@link CheckpointMismatchException} naming the directory and the tensors; generation refuses prompts past the
 * context. Works on copies of the OPT fixture; sizes come from its config.json.
 */
class CheckpointMismatchTest {
    @TempDir
    Path tmp;

    private static Path optFixture() { return Fixtures.dir("opt"); }

    private static OptConfig config() { return OptConfig.from(HfConfig.read(optFixture())); }

    /** fc1 of the last layer: (ffn_dim, hidden_size). */
    private static String lastFc1() { return "model.decoder.layers." + (config().numLayers() - 1) + ".fc1.weight"; }

    /** A copy of the OPT fixture whose tensors went through {@code edit}. */
    private Path optCopy(Consumer<Map<String, Tensor>> edit) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("opt"));
        Files.copy(optFixture().resolve("config.json"), dir.resolve("config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(optFixture().resolve("model.safetensors")); Scope s = Scope.open()) {
            Map<String, Tensor> ts = new LinkedHashMap<>();
            for (String n : f.names()) ts.put(n, f.tensor(n));
            edit.accept(ts);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), ts, f.metadata());
        }
        return dir;
    }

    private static CheckpointMismatchException assertMismatch(Path dir, String... fragments) {
        var e = assertThrows(CheckpointMismatchException.class, () -> Models.loadCausalLM(dir, Device.CPU).close());
        assertTrue(e.getMessage().startsWith(dir + ": "), "names the directory: " + e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    @Test
    void droppedTensor() throws IOException {
        String fc1 = lastFc1();
        assertMismatch(optCopy(ts -> ts.remove(fc1)), "missing tensors for this architecture: " + fc1);
    }

    @Test
    void extraTensor() throws IOException {
        OptConfig c = config();
        String extra = "model.decoder.layers." + c.numLayers() + ".fc1.weight"; // one layer past the config's
        assertMismatch(optCopy(ts -> ts.put(extra, Tensors.zeros(c.ffnDim(), c.hiddenSize()))),
                "unexpected tensors for this architecture: " + extra, "num_hidden_layers");
    }

    @Test
    void wrongShapeAndIntegerWeight() throws IOException {
        OptConfig c = config();
        long f = c.ffnDim(), h = c.hiddenSize();
        String fc1 = lastFc1();
        assertMismatch(optCopy(ts -> ts.put(fc1, Tensors.zeros(h, f))), "'" + fc1
                + "' has shape [" + h + ", " + f + "] but config.json implies [" + f + ", " + h + "]");
        Files.delete(tmp.resolve("opt/config.json"));
        Files.delete(tmp.resolve("opt/model.safetensors"));
        Files.delete(tmp.resolve("opt"));
        assertMismatch(optCopy(ts -> ts.put(fc1, Tensors.zeros(f, h).to(DType.I32))), "'" + fc1
                + "' is I32, expected a floating-point weight");
    }

    @Test
    void shardedCopyLoadsTheSameModel() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(optFixture().resolve("config.json"), dir.resolve("config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(optFixture().resolve("model.safetensors")); Scope s = Scope.open()) {
            Map<String, Tensor> ts = new LinkedHashMap<>();
            for (String n : f.names()) ts.put(n, f.tensor(n));
            // a quarter of the model per shard, whatever the fixture's size: three shards or more
            SafetensorsWriter.writeSharded(dir, ts, Math.max(1, f.dataBytes() / 4), Map.of("format", "pt"));
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertTrue(c.files().size() >= 3, "sharded into " + c.files().size());
        }
        try (CausalLM a = Models.loadCausalLM(optFixture(), Device.CPU);
             CausalLM b = Models.loadCausalLM(dir, Device.CPU);
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            long vocab = config().vocabSize(); // token ids spread over the fixture's vocabulary
            long[] spread = {2, 17, 300, 5, 99, 411};
            for (int i = 0; i < spread.length; i++) spread[i] %= vocab;
            Tensor ids = Tensors.fromLongs(spread, 1, 6);
            assertEquals(0.0, Tensors.maxAbsDiff(a.logits(ids), b.logits(ids)), "sharded weights load bit for bit");
        }
    }

    @Test
    void promptLongerThanTheContext() {
        try (CausalLM m = Models.loadCausalLM(optFixture(), Device.CPU)) {
            int ctx = m.config().maxPositions();
            long[] prompt = new long[ctx - 5];
            java.util.Arrays.fill(prompt, 7);
            var e = assertThrows(dev.frugal.InvalidSettingException.class,
                    () -> Generation.generate(m, prompt, GenerationConfig.greedy(10)));
            assertEquals("maxNewTokens", e.parameter());
            assertTrue(e.getMessage().contains("(10) + prompt (" + (ctx - 5) + " tokens) = "
                    + (ctx + 5) + " exceeds the model's context of " + ctx + " positions"), e.getMessage());
            long[] tooLong = new long[ctx + 1];
            assertThrows(dev.frugal.InvalidSettingException.class, () -> Generation.generate(m, tooLong, GenerationConfig.greedy(1)));
            // exactly filling the context is fine
            assertEquals(ctx, Generation.generate(m, prompt, GenerationConfig.greedy(5)).tokens().length);
        }
    }
}
