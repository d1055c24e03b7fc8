package dev.frugal.model.gpt2;

import dev.frugal.model.ConfigException;
import dev.frugal.model.DecoderConfig;
import dev.frugal.model.HfConfig;
import java.util.OptionalLong;

/**
 * Hugging Face {@code GPT2Config} fields frugal uses. Field names follow config.json ({@code n_embd}, {@code n_head},
 * {@code n_layer}, {@code n_positions}); the generic aliases {@code hidden_size}, {@code num_attention_heads},
 * {@code num_hidden_layers} and {@code max_position_embeddings} are accepted too, as {@code GPT2Config.attribute_map}
 * does. {@code reorder_and_upcast_attn} is accepted and needs nothing: it only changes where float16 scores are
 * upcast, and frugal computes attention in float32.
 *
 * @param innerDim                   MLP width; {@code n_inner}, or 4·{@code n_embd} when null
 * @param layerNormEps               {@code layer_norm_epsilon} of every LayerNorm
 * @param activation                 {@code activation_function}
 * @param scaleAttnWeights           divide attention scores by √head_dim
 * @param scaleAttnByInverseLayerIdx additionally divide the scores of layer i by i + 1
 */
public record Gpt2Config(int vocabSize, int hiddenSize, int numLayers, int numHeads, int innerDim, int maxPositions,
                         double layerNormEps, Activation activation, boolean scaleAttnWeights,
                         boolean scaleAttnByInverseLayerIdx, boolean tieWordEmbeddings, OptionalLong bosTokenId,
                         OptionalLong eosTokenId, OptionalLong padTokenId, HfConfig source)
        implements DecoderConfig {

    public Gpt2Config {
        HfConfig c = source;
        c.check(vocabSize > 0 && hiddenSize > 0 && numLayers > 0 && numHeads > 0 && innerDim > 0 && maxPositions > 0,
                "vocab_size, n_embd, n_layer, n_head, n_inner and n_positions must be positive");
        c.check(hiddenSize % numHeads == 0, "n_embd " + hiddenSize + " is not divisible by n_head " + numHeads
                + ": every head needs n_embd / n_head dimensions");
        c.check(layerNormEps > 0, "layer_norm_epsilon must be positive, got " + layerNormEps);
    }

    /** Parses a GPT-2 config.json. */
    public static Gpt2Config from(HfConfig c) {
        int hidden = positive(c, "n_embd", "hidden_size");
        String act = c.optString("activation_function", "gelu_new");
        Activation activation = Activation.fromHf(act).orElseThrow(() -> new ConfigException(c.file(),
                "activation_function '" + act + "' is not supported (" + Activation.accepted() + ")"));
        c.check(!c.optBool("add_cross_attention", false), "add_cross_attention is true: GPT-2 with cross-attention"
                + " (an encoder-decoder's decoder) is not supported; frugal loads decoder-only GPT2LMHeadModel");
        int inner = c.has("n_inner") ? c.requirePositive("n_inner") : 4 * hidden;
        return new Gpt2Config(c.requirePositive("vocab_size"), hidden, positive(c, "n_layer", "num_hidden_layers"),
                positive(c, "n_head", "num_attention_heads"), inner,
                positive(c, "n_positions", "max_position_embeddings"), c.optDouble("layer_norm_epsilon", 1e-5),
                activation, c.optBool("scale_attn_weights", true), c.optBool("scale_attn_by_inverse_layer_idx", false),
                c.optBool("tie_word_embeddings", true), c.optId("bos_token_id"), c.optId("eos_token_id"),
                c.optId("pad_token_id"), c);
    }

    /** {@code field}, else its generic alias, as a positive integer. */
    private static int positive(HfConfig c, String field, String alias) {
        return c.has(field) || !c.has(alias) ? c.requirePositive(field) : c.requirePositive(alias);
    }

    @Override
    public String modelType() { return "gpt2"; }

    public int headDim() { return hiddenSize / numHeads; }

    /**
     * The factor attention scores of {@code layer} (0-based) are multiplied by before the softmax:
     * {@code 1/√head_dim} if {@code scale_attn_weights}, times {@code 1/(layer+1)} if
     * {@code scale_attn_by_inverse_layer_idx}.
     */
    public double attentionScale(int layer) {
        double s = scaleAttnWeights ? 1.0 / Math.sqrt(headDim()) : 1.0;
        return scaleAttnByInverseLayerIdx ? s / (layer + 1) : s;
    }
}
