package dev.frugal.model;

import dev.frugal.tensor.Tensor;

/**
 * A bidirectional encoder (BERT) as embedding → blocks → head, where the head is an optional pooler and an optional
 * sequence classifier on the pooled vector. Every position attends to every real (unpadded) position; there is no
 * KV cache.
 */
public interface EncoderModel extends StagedModel {
    /**
     * Token, position and token-type embeddings, normalised: {@code ids (B, T)} int64, {@code tokenTypeIds (B, T)}
     * int64 or null (all segment 0) → hidden states {@code (B, T, C)}.
     */
    Tensor embed(Tensor ids, Tensor tokenTypeIds, ForwardContext ctx);

    /** Whether the checkpoint has a pooler ({@code tanh(dense(h[:, 0]))}). */
    boolean hasPooler();

    /**
     * The pooled sequence vector from the final hidden states: {@code (B, T, C)} → {@code (B, C)}.
     *
     * @throws IllegalStateException when the model has no pooler ({@link #hasPooler()})
     */
    Tensor pooled(Tensor lastHidden, LayerOps ops);

    /** Whether the checkpoint has a sequence-classification head. */
    boolean hasClassifier();

    /** Classifier outputs; meaningful when {@link #hasClassifier()}. */
    int numLabels();

    /**
     * Classification logits from the pooled vector: {@code (B, C)} → {@code (B, numLabels)}.
     *
     * @throws IllegalStateException when the model has no classifier ({@link #hasClassifier()})
     */
    Tensor classify(Tensor pooled, LayerOps ops);

    /** A non-causal context for {@code ids (B, T)} with optional padding mask {@code (B, T)} (1 = real, 0 = pad). */
    default ForwardContext context(Tensor ids, Tensor paddingMask, LayerOps ops) {
        if (ids.dim() != 2)
            throw new IllegalArgumentException("input ids must be (B, T), got " + java.util.Arrays.toString(ids.shape()));
        return new ForwardContext(ids.size(0), ids.size(1), paddingMask, null, ops, false, device());
    }

    /**
     * The final hidden states {@code (B, T, C)} (HF's {@code last_hidden_state}).
     *
     * @param ids          (B, T) int64 token ids
     * @param tokenTypeIds (B, T) int64 segment ids, or null for all 0
     * @param paddingMask  (B, T) with 1 for real tokens and 0 for padding, or null for no padding; padding masks
     *                     keys only (as in HF), so padded positions get hidden states too; a row without any real
     *                     token is meaningless (libtorch's attention then outputs zeros; HF gives other values)
     * @param ops          layer hooks, or null for the plain computation
     */
    default Tensor lastHiddenState(Tensor ids, Tensor tokenTypeIds, Tensor paddingMask, LayerOps ops) {
        ForwardContext ctx = context(ids, paddingMask, ops);
        Tensor h = embed(ids, tokenTypeIds, ctx); // (B, T, C)
        for (int i = 0; i < blockParams().size(); i++) h = block(i, h, ctx);
        return h;
    }

    /** Full forward to classification logits {@code (B, numLabels)}; same arguments as {@link #lastHiddenState}. */
    default Tensor logits(Tensor ids, Tensor tokenTypeIds, Tensor paddingMask, LayerOps ops) {
        if (!hasClassifier()) throw new IllegalStateException("this " + config().modelType() + " checkpoint has no"
                + " classifier: use lastHiddenState (or pooled) for embeddings, or load a *ForSequenceClassification"
                + " checkpoint");
        LayerOps o = ops == null ? LayerOps.PLAIN : ops;
        return classify(pooled(lastHiddenState(ids, tokenTypeIds, paddingMask, o), o), o);
    }
}
