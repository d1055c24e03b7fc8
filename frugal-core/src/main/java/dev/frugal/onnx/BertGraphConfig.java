package dev.frugal.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT hyper-parameters derived from an ONNX graph, named as in Hugging Face {@code BertConfig}.
 *
 * @param vocabSize             rows of the word embedding
 * @param hiddenSize            width of the residual stream
 * @param numHiddenLayers       encoder layers
 * @param numAttentionHeads     heads per layer (from the Reshape constants that split Q/K/V into heads)
 * @param intermediateSize      width of the feed-forward layer
 * @param maxPositionEmbeddings rows of the position embedding
 * @param typeVocabSize         rows of the token-type embedding
 * @param layerNormEps          ε of the layer norms (the constant added to the variance)
 * @param hiddenAct             activation of the feed-forward layer ({@code gelu} for the exact erf form)
 * @param hasPooler             whether the graph carries {@code pooler.dense}
 */
public record BertGraphConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                              int intermediateSize, int maxPositionEmbeddings, int typeVocabSize, double layerNormEps,
                              String hiddenAct, boolean hasPooler) {

    public BertGraphConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0
                || intermediateSize <= 0 || maxPositionEmbeddings <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("BERT sizes must be positive: vocab=" + vocabSize + " hidden="
                    + hiddenSize + " layers=" + numHiddenLayers + " heads=" + numAttentionHeads + " intermediate="
                    + intermediateSize + " positions=" + maxPositionEmbeddings + " types=" + typeVocabSize);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " is not divisible by "
                    + numAttentionHeads + " heads");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be > 0, got " + layerNormEps);
        }
        if (!List.of("gelu", "gelu_new", "relu").contains(hiddenAct)) {
            throw new IllegalArgumentException("unsupported hidden_act '" + hiddenAct + "'");
        }
    }

    /** {@code hiddenSize / numAttentionHeads}. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** The fields of a Hugging Face {@code config.json} for {@code BertModel}, in the usual order. */
    public Map<String, Object> toHfConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("BertModel"));
        m.put("model_type", "bert");
        m.put("vocab_size", vocabSize);
        m.put("hidden_size", hiddenSize);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("intermediate_size", intermediateSize);
        m.put("hidden_act", hiddenAct);
        m.put("hidden_dropout_prob", 0.1);
        m.put("attention_probs_dropout_prob", 0.1);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("type_vocab_size", typeVocabSize);
        m.put("initializer_range", 0.02);
        m.put("layer_norm_eps", layerNormEps);
        m.put("pad_token_id", 0);
        m.put("position_embedding_type", "absolute");
        m.put("torch_dtype", "float32");
        return m;
    }

    /** {@link #toHfConfig()} as pretty-printed JSON. */
    public String toHfConfigJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toHfConfig());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a map of numbers and strings", e);
        }
    }
}
