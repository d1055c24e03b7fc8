package dev.frugal.dp;

import dev.frugal.model.CausalLM;
import dev.frugal.model.LayerOps;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/** Per-sample causal-LM loss as the fixtures define it: mean token cross-entropy of the shifted targets. */
final class LmLoss {
    private LmLoss() {}

    /** {@code ids (B, T)} → {@code (B)}. */
    static Tensor perSample(CausalLM model, Tensor ids, LayerOps ops) {
        long b = ids.size(0), t = ids.size(1);
        Tensor logits = model.logits(ids, null, null, ops);                        // (B, T, V)
        long v = logits.size(2);
        Tensor pred = logits.narrow(1, 0, t - 1).reshape(b * (t - 1), v);
        Tensor tgt = ids.narrow(1, 1, t - 1).reshape(b * (t - 1));
        return NN.crossEntropyPerRow(pred, tgt, -100).view(b, t - 1).mean(1, false);
    }
}
