package dev.frugal.model.gpt2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.CausalLM;
import dev.frugal.model.CheckpointMismatchException;
import dev.frugal.model.ConfigException;
import dev.frugal.model.Fixtures;
import dev.frugal.model.HfConfig;
import dev.frugal.model.LmLoss;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2 loading beyond the conformance suite: checkpoints without the {@code transformer.} prefix and with the old
 * causal-mask buffers, an untied LM head, and configs or checkpoints that must be refused.
 */
class Gpt2ModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path fixture() { return Fixtures.dir("gpt2"); }

    /** Writes the fixture's tensors, renamed by {@code rename} (null drops one), plus {@code extra}, to {@code dir}. */
    private static void writeCheckpoint(Path dir, UnaryOperator<String> rename,
                                        Consumer<Map<String, Tensor>> extra) throws Exception {
        Files.createDirectories(dir);
        try (SafetensorsFile f = SafetensorsFile.open(fixture().resolve("model.safetensors")); Scope s = Scope.open()) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String n : f.names()) {
                String to = rename.apply(n);
                if (to != null) out.put(to, f.tensor(n));
            }
            extra.accept(out);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
        }
    }

    private static void writeConfig(Path dir, Consumer<ObjectNode> edit) throws Exception {
        Files.createDirectories(dir);
        ObjectNode cfg = (ObjectNode) JSON.readTree(fixture().resolve("config.json").toFile());
        edit.accept(cfg);
        JSON.writeValue(dir.resolve("config.json").toFile(), cfg);
    }

    /** The fixture's number of blocks ({@code n_layer} of its config). */
    private static int layers() { return dev.frugal.model.HfConfig.read(fixture()).json().get("n_layer").asInt(); }

    /** The original {@code gpt2} repository's layout: no prefix, plus {@code attn.bias} and {@code attn.masked_bias}. */
    @Test
    void unprefixedCheckpointWithMaskBuffersLoadsToTheSameLogits() throws Exception {
        Path dir = tmp.resolve("unprefixed");
        long positions;
        try (SafetensorsFile f = SafetensorsFile.open(fixture().resolve("model.safetensors"))) {
            positions = f.info("transformer.wpe.weight").shape()[0];
        }
        writeCheckpoint(dir, n -> n.substring("transformer.".length()), m -> {
            for (int i = 0; i < layers(); i++) {
                m.put("h." + i + ".attn.bias", Tensors.ones(DType.BOOL, Device.CPU, positions, positions).tril(0)
                        .view(1, 1, positions, positions));
                m.put("h." + i + ".attn.masked_bias", Tensors.full(-1e4, DType.F32, Device.CPU));
            }
        });
        Files.copy(fixture().resolve("config.json"), dir.resolve("config.json"));
        try (CausalLM ref = Models.loadCausalLM(fixture(), Device.CPU);
             CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             SafetensorsFile golden = SafetensorsFile.open(fixture().resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            assertTrue(m instanceof Gpt2Model);
            assertEquals(ref.parameterNames(), m.parameterNames());
            assertTrue(m.parameterNames().stream().allMatch(n -> n.startsWith("transformer.")), "canonical names");
            Tensor ids = golden.tensor("input_ids");
            Tensor logits = m.logits(ids);
            assertTrue(Tensors.equal(ref.logits(ids), logits), "unprefixed checkpoint gives other logits");
            double diff = Tensors.maxAbsDiff(logits, golden.tensor("logits"));
            assertTrue(diff <= 1e-4, "max |logits - HF| = " + diff);
        }
    }

    /** Saving writes the GPT2LMHeadModel layout even when the model was loaded from an unprefixed checkpoint. */
    @Test
    void savingWritesThePrefixedLayout() throws Exception {
        Path dir = tmp.resolve("unprefixed"), out = tmp.resolve("saved");
        writeCheckpoint(dir, n -> n.substring("transformer.".length()), m -> {});
        Files.copy(fixture().resolve("config.json"), dir.resolve("config.json"));
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            Models.save(m, out);
        }
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"));
             SafetensorsFile orig = SafetensorsFile.open(fixture().resolve("model.safetensors"))) {
            assertEquals(new TreeSet<>(orig.names()), new TreeSet<>(f.names()));
        }
    }

    @Test
    void untiedHeadReadsLmHeadWeight() throws Exception {
        Path dir = tmp.resolve("untied");
        writeCheckpoint(dir, n -> n, m -> m.put("lm_head.weight", m.get("transformer.wte.weight").mul(0.5)));
        writeConfig(dir, c -> c.put("tie_word_embeddings", false));
        try (CausalLM tied = Models.loadCausalLM(fixture(), Device.CPU);
             CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            assertEquals("lm_head.weight", m.parameterNames().getLast());
            assertEquals(tied.parameterNames().size() + 1, m.parameterNames().size());
            Tensor ids = Tensors.fromLongs(new long[] {1, 2, 3, 4}, 1, 4);
            // the head is linear in its weight: half the weight gives half the logits
            double diff = Tensors.maxAbsDiff(tied.logits(ids).mul(0.5), m.logits(ids));
            assertTrue(diff <= 1e-5, "untied head: " + diff);
        }
    }

    @Test
    void embeddingNotDivisibleByHeadsIsAConfigError() throws Exception {
        Path dir = tmp.resolve("bad-heads");
        int embd = HfConfig.read(fixture()).json().get("n_embd").asInt();
        int heads = 2;
        while (embd % heads == 0) heads++; // the smallest head count that does not divide the fixture's width
        int h = heads;
        writeConfig(dir, c -> c.put("n_head", h));
        ConfigException e = assertThrows(ConfigException.class, () -> Models.loadCausalLM(dir, Device.CPU));
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("n_head"), e.getMessage());
    }

    @Test
    void unknownActivationIsAConfigError() throws Exception {
        Path dir = tmp.resolve("bad-act");
        writeConfig(dir, c -> c.put("activation_function", "gelu_unknown"));
        ConfigException e = assertThrows(ConfigException.class, () -> Models.loadCausalLM(dir, Device.CPU));
        assertTrue(e.getMessage().contains("gelu_unknown"), e.getMessage());
    }

    @Test
    void sameParameterWithAndWithoutPrefixIsRefused() throws Exception {
        Path dir = tmp.resolve("both");
        writeCheckpoint(dir, n -> n, m -> m.put("ln_f.bias", m.get("transformer.ln_f.bias")));
        Files.copy(fixture().resolve("config.json"), dir.resolve("config.json"));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> Models.loadCausalLM(dir, Device.CPU));
        assertTrue(e.getMessage().contains("ln_f.bias"), e.getMessage());
    }

    @Test
    void missingTensorIsNamedInTheCheckpointsOwnStyle() throws Exception {
        Path dir = tmp.resolve("missing");
        String last = "h." + (layers() - 1) + ".ln_2.weight"; // the last block's, whatever the fixture's depth
        writeCheckpoint(dir, n -> n.equals("transformer." + last) ? null : n.substring("transformer.".length()),
                m -> {});
        Files.copy(fixture().resolve("config.json"), dir.resolve("config.json"));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> Models.loadCausalLM(dir, Device.CPU));
        assertTrue(e.getMessage().contains("missing tensors for this architecture: " + last), e.getMessage());
    }

    /**
     * Backward matches PyTorch: the summed per-sample gradients (loss of each sample = its mean token cross-entropy)
     * equal the fixture's {@code sum/NAME} for every parameter, which also pins the parameter names and order.
     */
    @Test
    void gradientsMatchHuggingFace() {
        Path golden = Fixtures.file("gpt2", "per_sample_reference.safetensors");
        try (CausalLM m = Models.loadCausalLM(fixture(), Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(golden); Scope s = Scope.open()) {
            for (String n : m.parameterNames()) m.parameter(n).requiresGrad(true);
            Tensor ids = ref.tensor("input_ids"); // (4, 16)
            Tensor logits = m.logits(ids);
            Tensor total = LmLoss.causal(logits.narrow(0, 0, 1), ids.narrow(0, 0, 1));
            for (int i = 1; i < ids.size(0); i++)
                total = total.add(LmLoss.causal(logits.narrow(0, i, 1), ids.narrow(0, i, 1)));
            total.backward();
            for (String n : m.parameterNames()) {
                double d = Tensors.maxAbsDiff(m.parameter(n).grad(), ref.tensor("sum/" + n));
                assertTrue(d <= 1e-5, n + ": max |grad - HF| = " + d);
            }
        }
    }
}
