package dev.frugal.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.frugal.io.Checkpoint;
import dev.frugal.model.CheckpointMismatchException;

/**
 * Which Hugging Face model class a BERT checkpoint was saved from, read off its tensor names.
 *
 * <ul>
 *   <li>{@code BertForSequenceClassification}: prefix {@code "bert."}, pooler, {@code classifier.*};</li>
 *   <li>{@code BertModel}: no prefix, pooler unless saved with {@code add_pooling_layer=False}, no classifier;</li>
 *   <li>a {@code bert.}-prefixed encoder without classifier (a base model stripped of its task head) also loads.</li>
 * </ul>
 *
 * @param prefix     {@link #TASK_PREFIX} or {@code ""}: what precedes {@code embeddings.}, {@code encoder.},
 *                   {@code pooler.} in the tensor names
 * @param pooler     whether {@code pooler.dense} exists
 * @param classifier whether {@code classifier} exists (needs the pooler, and the task prefix)
 */
public record BertLayout(String prefix, boolean pooler, boolean classifier) {
    /** HF's {@code base_model_prefix} for BERT: task models keep the encoder under {@code bert.}. */
    public static final String TASK_PREFIX = "bert.";

    public BertLayout {
        if (!prefix.equals(TASK_PREFIX) && !prefix.isEmpty())
            throw new IllegalArgumentException("BERT tensor prefix must be '" + TASK_PREFIX + "' or empty, got '"
                    + prefix + "'");
        if (classifier && !pooler) throw new IllegalArgumentException("a BERT classifier reads the pooler: a layout"
                + " with classifier must have the pooler");
        if (classifier && prefix.isEmpty()) throw new IllegalArgumentException("a BERT classifier checkpoint keeps"
                + " the encoder under '" + TASK_PREFIX + "'");
    }

    /** The layout of a {@code BertForSequenceClassification} checkpoint. */
    public static final BertLayout SEQUENCE_CLASSIFICATION = new BertLayout(TASK_PREFIX, true, true);

    /**
     * Reads the layout off {@code ckpt}'s names and checks it against {@code architectures} in config.json.
     *
     * @throws CheckpointMismatchException when the names fit neither layout, or config.json names
     *                                     {@code BertForSequenceClassification} but the classifier or pooler is
     *                                     missing
     */
    static BertLayout detect(BertConfig cfg, Checkpoint ckpt) {
        String prefix;
        if (ckpt.contains(TASK_PREFIX + "embeddings.word_embeddings.weight")) prefix = TASK_PREFIX;
        else if (ckpt.contains("embeddings.word_embeddings.weight")) prefix = "";
        else throw new CheckpointMismatchException(ckpt.dir(), "no 'bert.embeddings.word_embeddings.weight' nor"
                    + " 'embeddings.word_embeddings.weight': this is not a BERT checkpoint that frugal can read"
                    + " (BertForSequenceClassification or BertModel)");
        boolean pooler = ckpt.contains(prefix + "pooler.dense.weight");
        boolean classifier = ckpt.contains("classifier.weight");
        if (namesSequenceClassification(cfg) && !(classifier && pooler && prefix.equals(TASK_PREFIX)))
            throw new CheckpointMismatchException(ckpt.dir(), "config.json names BertForSequenceClassification, but"
                    + " the checkpoint lacks " + (prefix.isEmpty() ? "the 'bert.' prefix" : !pooler
                    ? "'bert.pooler.dense.weight'" : "'classifier.weight'") + ": set \"architectures\" to"
                    + " [\"BertModel\"] for a bare encoder, or use the complete checkpoint");
        if (classifier && !pooler) throw new CheckpointMismatchException(ckpt.dir(), "'classifier.weight' is present"
                + " but '" + prefix + "pooler.dense.weight' is not: BERT's classifier reads the pooled vector");
        if (classifier && prefix.isEmpty()) throw new CheckpointMismatchException(ckpt.dir(), "'classifier.weight' is"
                + " present but the encoder's tensors lack the 'bert.' prefix that BertForSequenceClassification"
                + " writes");
        return new BertLayout(prefix, pooler, classifier);
    }

    /**
     * Names that may appear in a checkpoint without being parameters: the {@code position_ids} buffer that
     * transformers before 4.31 saved, and the {@code token_type_ids} buffer.
     */
    public boolean isBuffer(String name) {
        return name.equals(prefix + "embeddings.position_ids") || name.equals(prefix + "embeddings.token_type_ids");
    }

    private static boolean namesSequenceClassification(BertConfig cfg) {
        JsonNode arch = cfg.source().json().get("architectures");
        if (arch == null || !arch.isArray()) return false;
        for (JsonNode a : arch) if (a.asText().equals("BertForSequenceClassification")) return true;
        return false;
    }
}
