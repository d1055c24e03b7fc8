package dev.frugal.model.opt;

import dev.frugal.model.DecoderConfig;
import dev.frugal.model.HfConfig;
import java.util.OptionalLong;

/**
 * Hugging Face {@code OPTConfig} fields frugal uses.
 *
 * @param wordEmbedProjDim    embedding width; when it differs from hidden, project_in/out map between them
 * @param doLayerNormBefore   pre-LN (true, OPT ≥ 350m... except 350m) or post-LN blocks
 * @param finalLayerNorm      whether the decoder has a final LayerNorm (pre-LN and not {@code _remove_final_layer_norm})
 * @param layerNormAffine     LayerNorms carry weight and bias
 * @param enableBias          Linear layers carry biases
 * @param activation          {@code relu}, {@code gelu} or {@code gelu_new}
 */
public record OptConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int ffnDim, int maxPositions,
                        int wordEmbedProjDim, boolean doLayerNormBefore, boolean finalLayerNorm,
                        boolean layerNormAffine, boolean enableBias, String activation, boolean tieWordEmbeddings,
                        OptionalLong bosTokenId, OptionalLong eosTokenId, OptionalLong padTokenId, HfConfig source)
        implements DecoderConfig {
    /** OPT's learned positions are shifted by 2 (a fairseq legacy). */
    public static final int POSITION_OFFSET = 2;
    /** OPT's LayerNorm epsilon (nn.LayerNorm default). */
    public static final double LN_EPS = 1e-5;

    public OptConfig {
        HfConfig c = source;
        c.check(hiddenSize % numHeads == 0, "hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                + numHeads);
        c.check(activation.equals("relu") || activation.equals("gelu") || activation.equals("gelu_new"),
                "activation_function '" + activation + "' is not supported (relu, gelu, gelu_new)");
    }

    /** Parses an OPT config.json. */
    public static OptConfig from(HfConfig c) {
        int hidden = c.requirePositive("hidden_size");
        boolean before = c.optBool("do_layer_norm_before", true);
        return new OptConfig(c.requirePositive("vocab_size"), hidden, c.requirePositive("num_hidden_layers"),
                c.requirePositive("num_attention_heads"), c.requirePositive("ffn_dim"),
                c.requirePositive("max_position_embeddings"), c.optInt("word_embed_proj_dim", hidden), before,
                before && !c.optBool("_remove_final_layer_norm", false), c.optBool("layer_norm_elementwise_affine", true),
                c.optBool("enable_bias", true), c.optString("activation_function", "relu"),
                c.optBool("tie_word_embeddings", true), c.optId("bos_token_id"), c.optId("eos_token_id"),
                c.optId("pad_token_id"), c);
    }

    @Override
    public String modelType() { return "opt"; }

    public int headDim() { return hiddenSize / numHeads; }

    /** Whether project_in / project_out exist. */
    public boolean projects() { return wordEmbedProjDim != hiddenSize; }
}
