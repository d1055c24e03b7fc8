package dev.frugal.interp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.ConfigException;
import dev.frugal.model.HfConfig;
import java.nio.file.Path;

/**
 * The shape of a GPT-2-layout decoder that circuit discovery decomposes: learned token and position embeddings, pre-LN
 * blocks (optionally without LayerNorm, optionally attention-only), a final {@code ln_f} and an LM head tied to
 * {@code wte}. A Hugging Face GPT-2 {@code config.json} reads as-is; frugal's small models add
 * {@code frugal_attn_only} and {@code frugal_layer_norm}.
 *
 * @param mlpDim   MLP width (ignored when {@code mlp} is false)
 * @param tiedHead the LM head is {@code wte}; otherwise its own {@code lm_head.weight (V, C)}
 */
public record InterpConfig(int vocabSize, int dModel, int numLayers, int numHeads, int maxPositions, boolean mlp,
                           int mlpDim, boolean layerNorm, double layerNormEps, boolean tiedHead) {

    public InterpConfig {
        if (vocabSize <= 0 || dModel <= 0 || numLayers <= 0 || numHeads <= 0 || maxPositions <= 0)
            throw new IllegalArgumentException("vocab, d_model, layers, heads and positions must be positive, got "
                    + vocabSize + ", " + dModel + ", " + numLayers + ", " + numHeads + ", " + maxPositions);
        if (dModel % numHeads != 0) throw new IllegalArgumentException("d_model " + dModel + " is not divisible by "
                + numHeads + " heads: every head needs d_model / heads dimensions");
        if (mlp && mlpDim <= 0) throw new IllegalArgumentException("an MLP needs a positive width, got " + mlpDim);
        if (layerNormEps <= 0) throw new IllegalArgumentException("layer_norm_epsilon must be positive");
    }

    /** An attention-only model without LayerNorm (the induction and planted models). */
    public static InterpConfig attentionOnly(int vocab, int dModel, int layers, int heads, int positions) {
        return new InterpConfig(vocab, dModel, layers, heads, positions, false, 0, false, 1e-5, true);
    }

    /** A GPT-2 block layout: LayerNorm and a 4× GELU MLP. */
    public static InterpConfig gpt(int vocab, int dModel, int layers, int heads, int positions) {
        return new InterpConfig(vocab, dModel, layers, heads, positions, true, 4 * dModel, true, 1e-5, true);
    }

    /** This configuration with an untied LM head. */
    public InterpConfig untied() {
        return new InterpConfig(vocabSize, dModel, numLayers, numHeads, maxPositions, mlp, mlpDim, layerNorm, layerNormEps, false);
    }

    public int headDim() { return dModel / numHeads; }

    /** Reads a GPT-2 {@code config.json} (plus frugal's two optional switches). */
    public static InterpConfig from(HfConfig c) {
        c.check("gpt2".equals(c.optString("model_type", "gpt2")), "model_type must be gpt2: circuit discovery"
                + " decomposes GPT-2-layout models");
        String act = c.optString("activation_function", "gelu_new");
        c.check(act.equals("gelu_new") || act.equals("gelu_pytorch_tanh"), "activation_function '" + act
                + "' is not supported by the circuit forward (gelu_new only)");
        c.check(!c.optBool("scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx is not"
                + " supported by the circuit forward");
        boolean attnOnly = c.optBool("frugal_attn_only", false);
        int d = c.requirePositive("n_embd");
        int inner = c.has("n_inner") ? c.requirePositive("n_inner") : 4 * d;
        try {
            return new InterpConfig(c.requirePositive("vocab_size"), d, c.requirePositive("n_layer"),
                    c.requirePositive("n_head"), c.requirePositive("n_positions"), !attnOnly, attnOnly ? 0 : inner,
                    c.optBool("frugal_layer_norm", true), c.optDouble("layer_norm_epsilon", 1e-5),
                    c.optBool("tie_word_embeddings", true));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(c.file(), e.getMessage());
        }
    }

    /** This configuration as a GPT-2 {@code config.json}. */
    public HfConfig toHf(Path dir) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("model_type", "gpt2");
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("vocab_size", vocabSize);
        n.put("n_embd", dModel);
        n.put("n_layer", numLayers);
        n.put("n_head", numHeads);
        n.put("n_positions", maxPositions);
        if (mlp) n.put("n_inner", mlpDim);
        n.put("activation_function", "gelu_new");
        n.put("layer_norm_epsilon", layerNormEps);
        n.put("tie_word_embeddings", tiedHead);
        n.put("frugal_attn_only", !mlp);
        n.put("frugal_layer_norm", layerNorm);
        return HfConfig.of(n, dir.resolve("config.json"));
    }
}
