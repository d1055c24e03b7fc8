package dev.frugal.rl.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small Llama or Qwen3 for the task family, created as a Hugging Face directory (config.json + model.safetensors)
 * with Hugging Face's initialisation (normal(0, 0.02) weights, unit RMSNorm weights, tied head), then loaded through
 * {@link Models#loadCausalLM} like any other checkpoint.
 *
 * @param arch        {@code llama} or {@code qwen3}
 * @param hidden      hidden size C
 * @param layers      blocks
 * @param heads       query heads (head_dim = C / heads, even)
 * @param kvHeads     key/value heads (divides heads)
 * @param intermediate SwiGLU width
 * @param positions   max_position_embeddings
 * @param vocab       vocab_size ({@link CharVocab#size()} for a task-family model; larger for a benchmark shape whose
 *                    LM head should cost what a real model's does)
 */
public record TinyLm(String arch, int hidden, int layers, int heads, int kvHeads, int intermediate, int positions,
                     int vocab) {
    /** A task-family model: the vocabulary is {@link CharVocab}'s. */
    public TinyLm(String arch, int hidden, int layers, int heads, int kvHeads, int intermediate, int positions) {
        this(arch, hidden, layers, heads, kvHeads, intermediate, positions, CharVocab.size());
    }

    public TinyLm {
        if (!arch.equals("llama") && !arch.equals("qwen3"))
            throw new dev.frugal.InvalidSettingException("arch", "'" + arch + "' is not llama or qwen3");
        dev.frugal.InvalidSettingException.require(hidden >= 2, "hidden", "must be >= 2, got " + hidden);
        dev.frugal.InvalidSettingException.require(layers >= 1, "layers", "must be >= 1, got " + layers);
        dev.frugal.InvalidSettingException.require(heads >= 1, "heads", "must be >= 1, got " + heads);
        dev.frugal.InvalidSettingException.require(kvHeads >= 1, "kvHeads", "must be >= 1, got " + kvHeads);
        dev.frugal.InvalidSettingException.require(intermediate >= 1, "intermediate", "must be >= 1, got " + intermediate);
        if (positions < 2) throw new IllegalArgumentException("positions must be >= 2, got " + positions); // fixed by the code
        if (vocab < CharVocab.size()) throw new IllegalArgumentException("vocab " + vocab + " < the task vocabulary's "
                + CharVocab.size());
        if (hidden % heads != 0 || (hidden / heads) % 2 != 0)
            throw new dev.frugal.InvalidSettingException("hidden", "" + hidden + " must be a multiple of 2·--heads " + heads);
        if (heads % kvHeads != 0) throw new dev.frugal.InvalidSettingException("kvHeads", "" + kvHeads + " must divide --heads " + heads);
    }

    /** Positions of a task-family model: the longest prompt and the longest taught completion fit (17 + 52). */
    public static final int POSITIONS = 96;

    /** The default shape: 4 layers, C = 128, 4 heads (2 KV heads), F = 384, 96 positions (≈ 0.8 M parameters). */
    public static TinyLm defaults(String arch) { return new TinyLm(arch, 128, 4, 4, 2, 384, POSITIONS); }

    public int headDim() { return hidden / heads; }

    /** Writes a freshly initialised model to {@code dir} and loads it. */
    public CausalLM create(Path dir, long seed, Device device) {
        write(dir, seed);
        return Models.loadCausalLM(dir, device);
    }

    /** Parameters of this shape (tied head: the embedding counts once). */
    public long parameterCount() {
        long d = headDim(), q = (long) heads * d, kv = (long) kvHeads * d;
        long block = q * hidden + 2 * kv * hidden + (long) hidden * q + 3L * intermediate * hidden + 2L * hidden
                + (arch.equals("qwen3") ? 2 * d : 0);
        return (long) vocab * hidden + layers * block + hidden;
    }

    /** Writes a freshly initialised model (config.json + model.safetensors, fp32) to {@code dir}. */
    public void write(Path dir, long seed) {
        try {
            Files.createDirectories(dir);
            ObjectMapper om = new ObjectMapper();
            ObjectNode c = om.createObjectNode();
            c.putArray("architectures").add(arch.equals("llama") ? "LlamaForCausalLM" : "Qwen3ForCausalLM");
            c.put("model_type", arch);
            c.put("vocab_size", vocab);
            c.put("hidden_size", hidden);
            c.put("intermediate_size", intermediate);
            c.put("num_hidden_layers", layers);
            c.put("num_attention_heads", heads);
            c.put("num_key_value_heads", kvHeads);
            c.put("head_dim", headDim());
            c.put("max_position_embeddings", positions);
            c.put("rms_norm_eps", 1e-6);
            c.put("rope_theta", 10000.0);
            c.put("hidden_act", "silu");
            c.put("tie_word_embeddings", true);
            c.put("bos_token_id", CharVocab.BOS);
            c.put("eos_token_id", CharVocab.EOS);
            c.put("pad_token_id", CharVocab.PAD);
            c.put("torch_dtype", "float32");
            if (arch.equals("qwen3")) c.put("use_sliding_window", false);
            om.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("config.json"), e);
        }
        try (Rng rng = Rng.seeded("init", seed); Scope s = Scope.open()) {
            Map<String, Tensor> w = new LinkedHashMap<>();
            long d = headDim(), q = (long) heads * d, kv = (long) kvHeads * d;
            w.put("model.embed_tokens.weight", normal(rng, vocab, hidden));
            for (int i = 0; i < layers; i++) {
                String l = "model.layers." + i + ".";
                w.put(l + "self_attn.q_proj.weight", normal(rng, q, hidden));
                w.put(l + "self_attn.k_proj.weight", normal(rng, kv, hidden));
                w.put(l + "self_attn.v_proj.weight", normal(rng, kv, hidden));
                w.put(l + "self_attn.o_proj.weight", normal(rng, hidden, q));
                if (arch.equals("qwen3")) {
                    w.put(l + "self_attn.q_norm.weight", Tensors.ones(d));
                    w.put(l + "self_attn.k_norm.weight", Tensors.ones(d));
                }
                w.put(l + "mlp.gate_proj.weight", normal(rng, intermediate, hidden));
                w.put(l + "mlp.up_proj.weight", normal(rng, intermediate, hidden));
                w.put(l + "mlp.down_proj.weight", normal(rng, hidden, intermediate));
                w.put(l + "input_layernorm.weight", Tensors.ones(hidden));
                w.put(l + "post_attention_layernorm.weight", Tensors.ones(hidden));
            }
            w.put("model.norm.weight", Tensors.ones(hidden));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
        }
    }

    private static Tensor normal(Rng rng, long... shape) {
        return Tensors.zeros(shape).normalInPlace(0, 0.02, rng);
    }
}
