package dev.frugal.spark;

import dev.frugal.io.SafetensorsWriter;
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
 * Writes an OPT checkpoint with random weights (N(0, 0.02) matrices, unit LayerNorms, zero biases, tied LM head) in
 * Hugging Face's layout: the model of {@code frugal bench dist-zo}, made on the spot instead of downloaded.
 *
 * @param vocab     vocabulary size V
 * @param hidden    hidden size h
 * @param layers    decoder blocks
 * @param heads     attention heads (h divisible by heads)
 * @param ffn       feed-forward size
 * @param positions maximum positions
 */
public record RandomOpt(int vocab, int hidden, int layers, int heads, int ffn, int positions) {
    public RandomOpt {
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden " + hidden + " is not divisible by " + heads
                + " heads");
    }

    /** Parameters (tied head once). */
    public long parameterCount() {
        long h = hidden, f = ffn;
        return (long) vocab * h + (positions + 2L) * h + 2 * h + layers * (4 * (h * h + h) + 2 * h * f + f + h + 4 * h);
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}; returns {@code dir}. */
    public Path writeTo(Path dir, long seed) {
        String p = "model.decoder.";
        try (Scope s = Scope.open()) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), """
                    {"architectures": ["OPTForCausalLM"], "model_type": "opt", "activation_function": "relu",
                     "do_layer_norm_before": true, "enable_bias": true, "layer_norm_elementwise_affine": true,
                     "_remove_final_layer_norm": false, "tie_word_embeddings": true, "dropout": 0.0,
                     "attention_dropout": 0.0, "layerdrop": 0.0, "init_std": 0.02, "bos_token_id": 2,
                     "eos_token_id": 2, "pad_token_id": 1, "dtype": "float32", "use_cache": true,
                     "vocab_size": %d, "hidden_size": %d, "word_embed_proj_dim": %d, "num_hidden_layers": %d,
                     "num_attention_heads": %d, "ffn_dim": %d, "max_position_embeddings": %d}
                    """.formatted(vocab, hidden, hidden, layers, heads, ffn, positions));
            Rng rng = Rng.seeded("random-opt", seed);
            Map<String, Tensor> w = new LinkedHashMap<>();
            w.put(p + "embed_tokens.weight", Tensors.randn(rng, vocab, hidden).mul(0.02));
            w.put(p + "embed_positions.weight", Tensors.randn(rng, positions + 2L, hidden).mul(0.02));
            w.put(p + "final_layer_norm.weight", Tensors.ones(hidden));
            w.put(p + "final_layer_norm.bias", Tensors.zeros(hidden));
            for (int i = 0; i < layers; i++) {
                String l = p + "layers." + i + ".";
                for (String proj : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"})
                    linear(w, rng, l + "self_attn." + proj, hidden, hidden);
                w.put(l + "self_attn_layer_norm.weight", Tensors.ones(hidden));
                w.put(l + "self_attn_layer_norm.bias", Tensors.zeros(hidden));
                linear(w, rng, l + "fc1", ffn, hidden);
                linear(w, rng, l + "fc2", hidden, ffn);
                w.put(l + "final_layer_norm.weight", Tensors.ones(hidden));
                w.put(l + "final_layer_norm.bias", Tensors.zeros(hidden));
            }
            rng.close();
            SafetensorsWriter.write(dir.resolve("model.safetensors"), w, Map.of("format", "pt"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the random OPT model to " + dir, e);
        }
    }

    private static void linear(Map<String, Tensor> w, Rng rng, String name, long out, long in) {
        w.put(name + ".weight", Tensors.randn(rng, out, in).mul(0.02));
        w.put(name + ".bias", Tensors.zeros(out));
    }
}
