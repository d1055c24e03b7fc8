package dev.frugal.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.frugal.model.DecoderConfig;
import dev.frugal.model.HfConfig;
import java.util.OptionalLong;

/**
 * Hugging Face {@code LlamaConfig} / {@code Qwen3Config} fields frugal uses: one record serves both, since Qwen3 is
 * Llama plus a per-head RMSNorm on queries and keys ({@link #qkNorm()}).
 *
 * @param modelType         {@code "llama"} or {@code "qwen3"}
 * @param intermediateSize  width of the SwiGLU MLP
 * @param numKvHeads        key/value heads; fewer than {@code numHeads} is grouped-query attention
 * @param headDim           per-head width; may differ from {@code hiddenSize / numHeads} when stated explicitly
 * @param rmsNormEps        ε inside every RMSNorm
 * @param rope              rotary embedding base and scaling
 * @param attentionBias     q/k/v/o projections carry biases
 * @param mlpBias           gate/up/down projections carry biases (Llama only; Qwen3 has none)
 * @param qkNorm            RMSNorm over {@code headDim} on each query and key head before RoPE (Qwen3)
 */
public record LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int maxPositions, double rmsNormEps,
                          RopeConfig rope, boolean attentionBias, boolean mlpBias, boolean qkNorm,
                          boolean tieWordEmbeddings, OptionalLong bosTokenId, OptionalLong eosTokenId,
                          OptionalLong padTokenId, HfConfig source) implements DecoderConfig {
    /** Qwen3Config's default {@code head_dim} when a config omits it. */
    public static final int QWEN3_DEFAULT_HEAD_DIM = 128;
    /** Qwen3Config's default {@code num_key_value_heads} when a config omits it. */
    public static final int QWEN3_DEFAULT_KV_HEADS = 32;

    public LlamaConfig {
        HfConfig c = source;
        c.check(modelType.equals("llama") || modelType.equals("qwen3"), "model_type '" + modelType
                + "' is not llama or qwen3");
        c.check(numKvHeads > 0, "num_key_value_heads must be positive, got " + numKvHeads);
        c.check(numHeads % numKvHeads == 0, "num_attention_heads " + numHeads + " is not divisible by"
                + " num_key_value_heads " + numKvHeads + ": each key/value head must serve a whole group of query heads");
        c.check(headDim > 0 && headDim % 2 == 0, "head_dim must be positive and even for rotary embeddings, got " + headDim);
        c.check(rmsNormEps >= 0, "rms_norm_eps must not be negative, got " + rmsNormEps);
        c.check(!(qkNorm && mlpBias), "qwen3 has no MLP biases");
    }

    /**
     * Parses a {@code llama} or {@code qwen3} config.json.
     *
     * @throws dev.frugal.model.ConfigException for missing or inconsistent fields and for features frugal lacks
     *                                          (sliding-window attention, RoPE types other than default/linear)
     */
    public static LlamaConfig from(HfConfig c) {
        String type = c.modelType();
        boolean qwen3 = type.equals("qwen3");
        int hidden = c.requirePositive("hidden_size");
        int heads = c.requirePositive("num_attention_heads");
        int headDim;
        if (c.has("head_dim")) headDim = c.requirePositive("head_dim");
        else if (qwen3) headDim = QWEN3_DEFAULT_HEAD_DIM; // Qwen3Config's dataclass default, as HF uses it
        else {
            c.check(hidden % heads == 0, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads
                    + " (and no head_dim is given): set head_dim or fix the head count");
            headDim = hidden / heads;
        }
        int kv = c.has("num_key_value_heads") ? c.requirePositive("num_key_value_heads")
                : qwen3 ? QWEN3_DEFAULT_KV_HEADS : heads;
        String act = c.optString("hidden_act", "silu");
        c.check(act.equals("silu") || act.equals("swish"), "hidden_act '" + act + "' is not supported: llama/qwen3 use"
                + " silu (SwiGLU)");
        if (qwen3) checkNoSlidingWindow(c);
        return new LlamaConfig(type, c.requirePositive("vocab_size"), hidden, c.requirePositive("intermediate_size"),
                c.requirePositive("num_hidden_layers"), heads, kv, headDim, c.requirePositive("max_position_embeddings"),
                c.optDouble("rms_norm_eps", 1e-6), RopeConfig.from(c), c.optBool("attention_bias", false),
                !qwen3 && c.optBool("mlp_bias", false), qwen3, c.optBool("tie_word_embeddings", false),
                c.optId("bos_token_id"), c.optId("eos_token_id"), c.optId("pad_token_id"), c);
    }

    private static void checkNoSlidingWindow(HfConfig c) {
        c.check(!c.optBool("use_sliding_window", false), "use_sliding_window is true, but frugal does not implement"
                + " sliding-window attention: set use_sliding_window to false only if the model was trained without it");
        JsonNode types = c.json().get("layer_types");
        if (types != null && types.isArray())
            for (JsonNode t : types)
                c.check(t.isTextual() && t.asText().equals("full_attention"), "layer_types contains " + t
                        + ", but frugal implements only full_attention layers");
    }

    /** Query heads per key/value head. */
    public int kvGroups() { return numHeads / numKvHeads; }

    /** Whether key/value heads are shared between query heads (grouped-query attention). */
    public boolean groupedQuery() { return numKvHeads != numHeads; }
}
