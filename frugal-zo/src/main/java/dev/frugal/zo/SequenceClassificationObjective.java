package dev.frugal.zo;

import dev.frugal.model.EncoderModel;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/** Cross-entropy of an encoder's own classifier (BERT's pooler + classifier head) on the labels. */
public final class SequenceClassificationObjective implements ZoObjective<ClassBatch> {
    @Override
    public ForwardContext context(StagedModel model, ClassBatch b) { return enc(model).context(b.inputIds(), b.mask(), null); }

    @Override
    public Tensor embed(StagedModel model, ClassBatch b, ForwardContext ctx) {
        return enc(model).embed(b.inputIds(), null, ctx);
    }

    @Override
    public Tensor loss(StagedModel model, Tensor hidden, ClassBatch b, ForwardContext ctx) {
        EncoderModel m = enc(model);
        Tensor logits = m.classify(m.pooled(hidden, ctx.ops()), ctx.ops()); // (B, labels)
        return NN.crossEntropy(logits, b.labels(), -100);
    }

    static EncoderModel enc(StagedModel m) {
        if (m instanceof EncoderModel e) return e;
        throw new IllegalArgumentException("sequence classification needs an encoder; got " + m.config().modelType());
    }
}
