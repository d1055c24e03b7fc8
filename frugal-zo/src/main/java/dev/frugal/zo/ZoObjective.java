package dev.frugal.zo;

import dev.frugal.model.ForwardContext;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Tensor;

/**
 * What ZO-SGD minimises on a batch, split along the model's stages so that the blocks can be streamed: the
 * embedding maps the batch to hidden states, the blocks run in between (driven by the engine), and the head turns the
 * final hidden states into a scalar loss.
 *
 * @param <B> the batch type
 */
public interface ZoObjective<B> {
    /** The forward context of {@code batch} (masks, no cache). */
    ForwardContext context(StagedModel model, B batch);

    /** Embedding stage: batch → hidden states {@code (B, T, C)}. */
    Tensor embed(StagedModel model, B batch, ForwardContext ctx);

    /** Head stage and loss: hidden states {@code (B, T, C)} → a 0-d float32 loss. */
    Tensor loss(StagedModel model, Tensor hidden, B batch, ForwardContext ctx);

    /** The full loss, all stages in order (the reference path). */
    default Tensor fullLoss(StagedModel model, B batch) {
        ForwardContext ctx = context(model, batch);
        Tensor h = embed(model, batch, ctx);
        for (int i = 0; i < model.blockParams().size(); i++) h = model.block(i, h, ctx);
        return loss(model, h, batch, ctx);
    }
}
