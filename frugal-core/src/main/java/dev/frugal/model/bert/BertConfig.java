package dev.frugal.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.frugal.model.ConfigException;
import dev.frugal.model.HfConfig;
import dev.frugal.model.ModelConfig;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/**
 * Hugging Face {@code BertConfig} fields frugal uses (Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional
 * Transformers for Language Understanding").
 *
 * @param vocabSize        rows of the word-embedding table
 * @param hiddenSize       C, the model width
 * @param numLayers        encoder blocks ({@code num_hidden_layers})
 * @param numHeads         H, attention heads per block; C must be divisible by H
 * @param intermediateSize width of the feed-forward layer ({@code intermediate_size})
 * @param maxPositions     rows of the absolute position table ({@code max_position_embeddings}); the longest input
 * @param typeVocabSize    rows of the token-type (segment) table ({@code type_vocab_size})
 * @param layerNormEps     epsilon of every LayerNorm ({@code layer_norm_eps})
 * @param activation       the feed-forward activation ({@code hidden_act})
 * @param numLabels        classifier outputs: {@code num_labels}, else the size of {@code id2label}, else 2
 * @param source           the config.json this record was read from
 */
public record BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
                         int maxPositions, int typeVocabSize, double layerNormEps, Activation activation, int numLabels,
                         HfConfig source) implements ModelConfig {
    /** HF's default label count for sequence classification. */
    public static final int DEFAULT_NUM_LABELS = 2;

    public BertConfig {
        HfConfig c = source;
        c.check(vocabSize > 0 && hiddenSize > 0 && numLayers > 0 && numHeads > 0 && intermediateSize > 0
                && maxPositions > 0 && typeVocabSize > 0, "vocab_size, hidden_size, num_hidden_layers,"
                + " num_attention_heads, intermediate_size, max_position_embeddings and type_vocab_size must all be"
                + " positive");
        c.check(hiddenSize % numHeads == 0, "hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                + numHeads + ": fix one of them");
        c.check(layerNormEps > 0, "layer_norm_eps must be positive, got " + layerNormEps);
        c.check(numLabels > 0, "num_labels must be positive, got " + numLabels);
        c.check(activation != null, "hidden_act is missing");
    }

    /**
     * Parses a BERT config.json.
     *
     * @throws ConfigException for missing fields, inconsistent sizes, an unsupported
     *                         {@code hidden_act} or a {@code position_embedding_type} other than {@code absolute}
     */
    public static BertConfig from(HfConfig c) {
        String type = c.modelType();
        c.check(type.equals("bert"), "model_type is '" + type + "', expected 'bert'");
        String positions = c.optString("position_embedding_type", "absolute");
        c.check(positions.equals("absolute"), "position_embedding_type '" + positions + "' is not supported: frugal's"
                + " BERT implements absolute positions only (relative_key / relative_key_query add a distance"
                + " embedding it does not have)");
        c.check(!c.optBool("is_decoder", false), "is_decoder=true (a causal BERT) is not supported: frugal's BERT is"
                + " a bidirectional encoder");
        return new BertConfig(c.requirePositive("vocab_size"), c.requirePositive("hidden_size"),
                c.requirePositive("num_hidden_layers"), c.requirePositive("num_attention_heads"),
                c.requirePositive("intermediate_size"), c.requirePositive("max_position_embeddings"),
                c.optInt("type_vocab_size", 2), c.optDouble("layer_norm_eps", 1e-12),
                Activation.parse(c, c.optString("hidden_act", "gelu")), numLabels(c), c);
    }

    /** {@code num_labels} if present, else the size of {@code id2label}, else {@link #DEFAULT_NUM_LABELS}. */
    private static int numLabels(HfConfig c) {
        if (c.has("num_labels")) return c.requireInt("num_labels");
        JsonNode id2label = c.optObject("id2label");
        return id2label != null && !id2label.isEmpty() ? id2label.size() : DEFAULT_NUM_LABELS;
    }

    @Override
    public String modelType() { return "bert"; }

    /** D = C / H. */
    public int headDim() { return hiddenSize / numHeads; }

    /** The feed-forward activations BERT checkpoints use ({@code hidden_act}). */
    public enum Activation {
        /** Exact GELU, {@code x·Φ(x)} with the erf form (HF "gelu"). */
        GELU("gelu"),
        /** GELU with the tanh approximation (HF "gelu_new" and "gelu_pytorch_tanh"). */
        GELU_TANH("gelu_new"),
        RELU("relu");

        private final String hfName;

        Activation(String hfName) { this.hfName = hfName; }

        /** The {@code hidden_act} value this activation is written as. */
        public String hfName() { return hfName; }

        /** Applies the activation elementwise. */
        public Tensor apply(Tensor x) {
            return switch (this) {
                case GELU -> NN.gelu(x);
                case GELU_TANH -> NN.geluTanh(x);
                case RELU -> x.relu();
            };
        }

        static Activation parse(HfConfig c, String name) {
            return switch (name) {
                case "gelu" -> GELU;
                case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
                case "relu" -> RELU;
                default -> throw new ConfigException(c.file(), "hidden_act '" + name + "' is not supported: use"
                        + " gelu, gelu_new, gelu_pytorch_tanh or relu");
            };
        }
    }
}
