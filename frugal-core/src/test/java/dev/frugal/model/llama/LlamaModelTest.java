package dev.frugal.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.CausalLM;
import dev.frugal.model.ConfigException;
import dev.frugal.model.Fixtures;
import dev.frugal.model.HfConfig;
import dev.frugal.model.KvCache;
import dev.frugal.model.Models;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties of the shared Llama/Qwen3 implementation that the Hugging Face fixtures do not pin down alone:
 * grouped-query attention equals multi-head attention over repeated key/value heads, KV-cache decoding equals
 * recomputing the whole sequence, explicit head_dim / biases / linear RoPE run consistently, and bad configs are
 * refused with a {@link ConfigException}.
 */
class LlamaModelTest {
    @TempDir
    Path tmp;

    private static Path fixture(String arch) { return Fixtures.dir(arch); }

    /** The fixture figures themselves (the conformance suite asserts them; this prints them). */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3"})
    void matchesHuggingFaceReference(String arch) {
        try (CausalLM m = Models.loadCausalLM(fixture(arch), Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(fixture(arch).resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            Tensor ids = ref.tensor("input_ids");
            Tensor logits = m.logits(ids);
            double diff = Tensors.maxAbsDiff(logits, ref.tensor("logits"));
            double loss = dev.frugal.model.LmLoss.causal(logits, ids).itemDouble();
            double refLoss = ref.tensor("loss").toDoubleArray()[0];
            System.out.printf("%s vs HF: max |Δlogits| = %.3e, loss %.7f vs %.7f (|Δ| = %.2e)%n", arch, diff, loss,
                    refLoss, Math.abs(loss - refLoss));
            assertTrue(diff <= 1e-4);
            assertEquals(refLoss, loss, 1e-5);
        }
    }

    /** (a) Repeating each kv head's k/v_proj rows into full MHA weights gives the same logits. */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3"})
    void groupedQueryAttentionEqualsRepeatedMultiHead(String arch) throws Exception {
        Path mha = tmp.resolve(arch + "-mha");
        try (CausalLM gqa = Models.loadCausalLM(fixture(arch), Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(fixture(arch).resolve("reference.safetensors"));
             Scope s = Scope.open(); GradMode g = GradMode.off()) {
            LlamaConfig c = (LlamaConfig) gqa.config();
            assertTrue(c.groupedQuery(), arch + " fixture should use GQA");
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (var e : gqa.namedParameters().entrySet()) {
                Tensor t = e.getValue();
                if (e.getKey().endsWith("k_proj.weight") || e.getKey().endsWith("v_proj.weight"))
                    t = t.view(c.numKvHeads(), c.headDim(), c.hiddenSize()).repeatInterleave(c.kvGroups(), 0)
                            .reshape((long) c.numHeads() * c.headDim(), c.hiddenSize()); // (H·D, C)
                params.put(e.getKey(), t);
            }
            ObjectNode json = c.source().json();
            json.put("num_key_value_heads", c.numHeads());
            writeModel(mha, json, params);
            try (CausalLM full = Models.loadCausalLM(mha, Device.CPU)) {
                assertTrue(!((LlamaConfig) full.config()).groupedQuery());
                Tensor ids = ref.tensor("input_ids");
                Tensor mask = ref.tensor("attention_mask_padded");
                double plain = Tensors.maxAbsDiff(gqa.logits(ids), full.logits(ids));
                double padded = Tensors.maxAbsDiff(gqa.logits(ids, mask, null, null), full.logits(ids, mask, null, null));
                System.out.printf("%s GQA vs repeated MHA: max |Δlogits| = %.3e (padded %.3e)%n", arch, plain, padded);
                assertTrue(plain <= 1e-5, "GQA vs MHA logits differ by " + plain);
                assertTrue(padded <= 1e-5, "GQA vs MHA padded logits differ by " + padded);
            }
        }
    }

    /** (b) Five cached decoding steps give the last-position logits of a full recompute, on the fixtures. */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen3"})
    void kvCacheMatchesFullRecompute(String arch) {
        try (CausalLM m = Models.loadCausalLM(fixture(arch), Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(fixture(arch).resolve("reference.safetensors"))) {
            Tensor ids = ref.tensor("input_ids");
            double worst = cachedVersusFull(m, ids.narrow(1, 0, Math.min(6, ids.size(1))).contiguous(), 5);
            System.out.printf("%s KV cache vs recompute (5 steps, batch 2): max |Δlogits| = %.3e%n", arch, worst);
        }
    }

    /** (b') The same on random models with explicit head_dim ≠ hidden/heads, biases, untied heads, linear RoPE. */
    @Test
    void kvCacheMatchesFullRecomputeOnUnusualShapes() throws Exception {
        ObjectNode q = baseConfig("qwen3");
        q.put("head_dim", 24).put("attention_bias", true).put("tie_word_embeddings", false)
                .put("num_attention_heads", 6).put("num_key_value_heads", 2);
        ObjectNode l = baseConfig("llama");
        l.put("mlp_bias", true).put("attention_bias", true).put("num_key_value_heads", 1);
        l.putObject("rope_parameters").put("rope_type", "linear").put("factor", 4.0).put("rope_theta", 500000.0);
        for (ObjectNode json : new ObjectNode[] {q, l}) {
            Path dir = tmp.resolve("random-" + json.get("model_type").asText());
            writeRandomModel(dir, json, 7);
            try (CausalLM m = Models.loadCausalLM(dir, Device.CPU); Scope s = Scope.open()) {
                Tensor prompt = Tensors.randint(0, 96, Rng.seeded("prompt", 3), 2, 4);
                double worst = cachedVersusFull(m, prompt, 5);
                System.out.printf("random %s (head_dim %d, kv heads %d): KV cache vs recompute max |Δ| = %.3e%n",
                        m.config().modelType(), ((LlamaConfig) m.config()).headDim(),
                        ((LlamaConfig) m.config()).numKvHeads(), worst);
            }
        }
    }

    /** Greedy-decodes {@code steps} tokens from {@code prompt (B, T)} both ways; returns the worst logit gap. */
    private static double cachedVersusFull(CausalLM m, Tensor prompt, int steps) {
        double worst = 0;
        try (KvCache cache = new KvCache(m.blockParams().size()); GradMode g = GradMode.off(); Scope s = Scope.open()) {
            Tensor seq = prompt;                                 // (B, L)
            Tensor step = prompt;
            for (int i = 0; i < steps; i++) {
                Tensor cached = lastPosition(m.logits(step, null, cache, null)); // (B, V)
                Tensor full = lastPosition(m.logits(seq));                        // (B, V)
                double d = Tensors.maxAbsDiff(cached, full);
                assertTrue(d <= 1e-5, "step " + i + ": cached vs full logits differ by " + d);
                worst = Math.max(worst, d);
                step = full.argmax(1, true);                                     // (B, 1)
                seq = Tensors.cat(java.util.List.of(seq, step), 1);
                assertEquals(seq.size(1) - 1, cache.length(), "cache length");
            }
        }
        return worst;
    }

    private static Tensor lastPosition(Tensor logits) { return logits.select(1, logits.size(1) - 1); }

    /** Linear RoPE with factor f at positions f·p equals default RoPE at positions p. */
    @Test
    void linearRopeScalesPositions() {
        try (Scope s = Scope.open()) {
            RopeConfig lin = new RopeConfig(10_000, RopeConfig.RopeType.LINEAR, 4.0);
            Tensor p = Tensors.arange(0, 20, Device.CPU).view(1, 20);
            Tensor[] scaled = RotaryEmbedding.cosSin(lin, 16, p.mul(4L));
            Tensor[] plain = RotaryEmbedding.cosSin(RopeConfig.plain(10_000), 16, p);
            assertTrue(Tensors.maxAbsDiff(scaled[0], plain[0]) < 1e-5);
            assertTrue(Tensors.maxAbsDiff(scaled[1], plain[1]) < 1e-5);
        }
    }

    /** (c) Inconsistent or unsupported configs are refused, naming the problem. */
    @Test
    void badConfigsAreRefused() throws Exception {
        LlamaConfig fx = LlamaConfig.from(HfConfig.read(fixture("llama"))); // sizes from the fixture loaded
        int kv = 2;
        while (fx.numHeads() % kv == 0) kv++; // the smallest kv-head count that does not divide the query heads
        int badKv = kv;
        assertRefused("llama", j -> j.put("num_key_value_heads", badKv), "not divisible by num_key_value_heads");
        long wider = fx.hiddenSize() + 1; // heads ≥ 2 never divide hidden + 1 when they divide hidden
        assertRefused("llama", j -> j.put("hidden_size", wider).remove("head_dim"), "not divisible by num_attention_heads");
        assertRefused("llama", j -> j.putObject("rope_parameters").put("rope_type", "yarn").put("factor", 2.0),
                "rope_type 'yarn'");
        assertRefused("llama", j -> {
            j.remove("rope_parameters");
            j.put("rope_theta", 1e4).putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0);
        }, "rope_type 'dynamic'");
        assertRefused("llama", j -> j.putObject("rope_parameters").put("rope_type", "linear"), "needs a 'factor'");
        assertRefused("llama", j -> j.put("hidden_act", "gelu"), "hidden_act 'gelu'");
        assertRefused("qwen3", j -> j.put("use_sliding_window", true).put("sliding_window", 8), "use_sliding_window");
        assertRefused("qwen3", j -> j.putArray("layer_types").add("full_attention").add("sliding_attention"),
                "sliding_attention");
    }

    @Test
    void legacyAndCurrentRopeLayoutsParse() {
        ObjectNode legacy = baseConfig("llama");
        legacy.remove("rope_parameters");
        legacy.put("rope_theta", 500000.0).putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
        LlamaConfig c = LlamaConfig.from(HfConfig.of(legacy, tmp.resolve("config.json")));
        assertEquals(new RopeConfig(500000.0, RopeConfig.RopeType.LINEAR, 2.0), c.rope());
        ObjectNode current = baseConfig("qwen3");
        current.putObject("rope_parameters").put("rope_theta", 1e6).put("rope_type", "default");
        LlamaConfig q = LlamaConfig.from(HfConfig.of(current, tmp.resolve("config.json")));
        assertEquals(RopeConfig.plain(1e6), q.rope());
        assertTrue(q.qkNorm());
        ObjectNode none = baseConfig("llama");
        none.remove("rope_parameters");
        none.remove("head_dim");
        LlamaConfig d = LlamaConfig.from(HfConfig.of(none, tmp.resolve("config.json")));
        assertEquals(RopeConfig.plain(RopeConfig.DEFAULT_THETA), d.rope());
        assertEquals(12, d.headDim());
    }

    private int badDirs;

    private void assertRefused(String arch, Consumer<ObjectNode> edit, String expected) throws Exception {
        ObjectNode json = (ObjectNode) HfConfig.read(fixture(arch)).json();
        edit.accept(json);
        Path dir = Files.createDirectories(tmp.resolve("bad-" + (++badDirs)));
        HfConfig.of(json, dir.resolve("config.json")).writeTo(dir);
        ConfigException e = assertThrows(ConfigException.class, () -> Models.loadCausalLM(dir, Device.CPU));
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should mention " + expected);
        assertTrue(e.getMessage().contains(dir.toString()), "message should name the file");
    }

    /** A small config of the given type (vocab 96, hidden 48, 2 layers, 4 heads of 12, 2 kv heads). */
    private static ObjectNode baseConfig(String type) {
        ObjectNode j = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        j.put("model_type", type).put("vocab_size", 96).put("hidden_size", 48).put("intermediate_size", 80)
                .put("num_hidden_layers", 2).put("num_attention_heads", 4).put("num_key_value_heads", 2)
                .put("head_dim", 12).put("max_position_embeddings", 64).put("rms_norm_eps", 1e-6)
                .put("tie_word_embeddings", true).put("hidden_act", "silu");
        j.putObject("rope_parameters").put("rope_theta", 10000.0).put("rope_type", "default");
        return j;
    }

    /** Writes {@code json} and random N(0, 0.2) weights (norm weights 1 + N(0, 0.1)) for it to {@code dir}. */
    private static void writeRandomModel(Path dir, ObjectNode json, long seed) throws Exception {
        LlamaConfig c = LlamaConfig.from(HfConfig.of(json, dir.resolve("config.json")));
        Rng rng = Rng.seeded("weights", seed);
        try (Scope s = Scope.open()) {
            Map<String, Tensor> params = new LinkedHashMap<>();
            for (var e : LlamaModel.expectedShapes(c).entrySet()) {
                Tensor r = Tensors.randn(rng, e.getValue());
                params.put(e.getKey(), e.getKey().contains("norm") ? r.mul(0.1).add(1.0) : r.mul(0.2));
            }
            writeModel(dir, json, params);
        }
    }

    private static void writeModel(Path dir, ObjectNode json, Map<String, Tensor> params) throws Exception {
        Files.createDirectories(dir);
        HfConfig.of(json, dir.resolve("config.json")).writeTo(dir);
        Map<String, Tensor> contiguous = new LinkedHashMap<>();
        params.forEach((k, v) -> contiguous.put(k, v.to(DType.F32).contiguous()));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), contiguous, Map.of("format", "pt"));
    }
}
