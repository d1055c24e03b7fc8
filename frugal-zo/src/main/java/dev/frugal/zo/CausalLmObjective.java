package dev.frugal.zo;

import dev.frugal.model.CausalLM;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.LmLoss;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Tensor;

/** Causal-LM fine-tuning: Hugging Face's shifted next-token cross-entropy. */
public final class CausalLmObjective implements ZoObjective<LmBatch> {
    @Override
    public ForwardContext context(StagedModel model, LmBatch b) {
        return lm(model).context(b.inputIds(), b.mask(), null, null);
    }

    @Override
    public Tensor embed(StagedModel model, LmBatch b, ForwardContext ctx) { return lm(model).embed(b.inputIds(), ctx); }

    @Override
    public Tensor loss(StagedModel model, Tensor hidden, LmBatch b, ForwardContext ctx) {
        return LmLoss.causal(lm(model).head(hidden, ctx), b.labels());
    }

    private static CausalLM lm(StagedModel m) {
        if (m instanceof CausalLM lm) return lm;
        throw new IllegalArgumentException("the lm task needs a decoder (OPT, GPT-2, Llama, Qwen3); got "
                + m.config().modelType());
    }
}
