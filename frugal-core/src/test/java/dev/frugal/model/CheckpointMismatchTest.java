package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.Checkpoint;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
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
 * context. Works on copies of the OPT fixture.
 */
class CheckpointMismatchTest {
    private static final String LAYER1_FC1 = "model.decoder.layers.1.fc1.weight";

    @TempDir
    Path tmp;

    private static Path optFixture() { return Fixtures.root().resolve("opt"); }

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
        assertMismatch(optCopy(ts -> ts.remove(LAYER1_FC1)), "missing tensors for this architecture: " + LAYER1_FC1);
    }

    @Test
    void extraTensor() throws IOException {
        assertMismatch(optCopy(ts -> ts.put("model.decoder.layers.2.fc1.weight", Tensors.zeros(128, 64))),
                "unexpected tensors for this architecture: model.decoder.layers.2.fc1.weight",
                "num_hidden_layers");
    }

    @Test
    void wrongShapeAndIntegerWeight() throws IOException {
        assertMismatch(optCopy(ts -> ts.put(LAYER1_FC1, Tensors.zeros(64, 128))), "'" + LAYER1_FC1
                + "' has shape [64, 128] but config.json implies [128, 64]");
        Files.delete(tmp.resolve("opt/config.json"));
        Files.delete(tmp.resolve("opt/model.safetensors"));
        Files.delete(tmp.resolve("opt"));
        assertMismatch(optCopy(ts -> ts.put(LAYER1_FC1, Tensors.zeros(128, 64).to(DType.I32))), "'" + LAYER1_FC1
                + "' is I32, expected a floating-point weight");
    }

    @Test
    void shardedCopyLoadsTheSameModel() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(optFixture().resolve("config.json"), dir.resolve("config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(optFixture().resolve("model.safetensors")); Scope s = Scope.open()) {
            Map<String, Tensor> ts = new LinkedHashMap<>();
            for (String n : f.names()) ts.put(n, f.tensor(n));
            SafetensorsWriter.writeSharded(dir, ts, 40_000, Map.of("format", "pt"));
        }
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertTrue(c.files().size() >= 3, "sharded into " + c.files().size());
        }
        try (CausalLM a = Models.loadCausalLM(optFixture(), Device.CPU);
             CausalLM b = Models.loadCausalLM(dir, Device.CPU);
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            Tensor ids = Tensors.fromLongs(new long[] {2, 17, 300, 5, 99, 411}, 1, 6);
            assertEquals(0.0, Tensors.maxAbsDiff(a.logits(ids), b.logits(ids)), "sharded weights load bit for bit");
        }
    }

    @Test
    void promptLongerThanTheContext() {
        try (CausalLM m = Models.loadCausalLM(optFixture(), Device.CPU)) {
            int ctx = m.config().maxPositions(); // 64 in the fixture
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
