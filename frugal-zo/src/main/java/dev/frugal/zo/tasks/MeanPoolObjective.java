package dev.frugal.zo.tasks;

import dev.frugal.model.ForwardContext;
import dev.frugal.model.MeanPoolClassifier;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Tensor;
import dev.frugal.zo.ClassBatch;
import dev.frugal.zo.ZoObjective;

/** Cross-entropy of a {@link MeanPoolClassifier}'s head on sentence embeddings. */
public final class MeanPoolObjective implements ZoObjective<ClassBatch> {
    @Override
    public ForwardContext context(StagedModel model, ClassBatch b) { return cls(model).context(b.inputIds(), b.mask()); }

    @Override
    public Tensor embed(StagedModel model, ClassBatch b, ForwardContext ctx) { return cls(model).embed(b.inputIds(), ctx); }

    @Override
    public Tensor loss(StagedModel model, Tensor hidden, ClassBatch b, ForwardContext ctx) {
        return MeanPoolClassifier.loss(cls(model).logits(hidden, b.mask(), ctx.ops()), b.labels());
    }

    static MeanPoolClassifier cls(StagedModel m) {
        if (m instanceof MeanPoolClassifier c) return c;
        throw new IllegalArgumentException("expected a MeanPoolClassifier, got " + m.getClass().getSimpleName());
    }
}
