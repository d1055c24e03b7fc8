package dev.frugal.dp;

import dev.frugal.model.LayerOps;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.LinkedHashMap;

/**
 * A random little network that uses every supported layer once, a tied weight twice, and a 2-D (sequence-pooled)
 * linear layer: embedding → LayerNorm → linear+tanh → Conv1D → RMSNorm → tied LM head, plus a classifier on the mean.
 */
final class TinyNet {
    final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
    final long vocab, classes;

    TinyNet(Rng rng, long vocab, long c, long hidden, long classes) {
        this.vocab = vocab;
        this.classes = classes;
        put("emb.weight", Tensors.randn(rng, vocab, c));
        put("ln.weight", Tensors.randn(rng, c).mul(0.3).add(1.0));
        put("ln.bias", Tensors.randn(rng, c).mul(0.3));
        put("fc.weight", Tensors.randn(rng, hidden, c).mul(0.5));
        put("fc.bias", Tensors.randn(rng, hidden).mul(0.3));
        put("proj.weight", Tensors.randn(rng, hidden, c).mul(0.5)); // Conv1D (in, out)
        put("proj.bias", Tensors.randn(rng, c).mul(0.3));
        put("rms.weight", Tensors.randn(rng, c).mul(0.3).add(1.0));
        put("cls.weight", Tensors.randn(rng, classes, c));
        put("cls.bias", Tensors.randn(rng, classes));
    }

    private void put(String n, Tensor t) { params.put(n, t.keep()); }

    /** Per-sample loss {@code (B)} of {@code ids (B, T)} and class {@code labels (B)} using {@code p}'s tensors. */
    Tensor loss(LinkedHashMap<String, Tensor> p, Tensor ids, Tensor labels, LayerOps ops) {
        long b = ids.size(0), t = ids.size(1);
        Tensor h = ops.embedding("emb", p.get("emb.weight"), ids);                           // (B, T, C)
        h = ops.layerNorm("ln", h, p.get("ln.weight"), p.get("ln.bias"), 1e-5);
        h = ops.linear("fc", h, p.get("fc.weight"), p.get("fc.bias")).tanh();               // (B, T, H)
        h = ops.conv1d("proj", h, p.get("proj.weight"), p.get("proj.bias"));                 // (B, T, C)
        h = ops.rmsNorm("rms", h, p.get("rms.weight"), 1e-6);
        Tensor logits = ops.linear("head", h, p.get("emb.weight"), null);                   // (B, T, V) tied
        Tensor tok = NN.crossEntropyPerRow(logits.reshape(b * t, vocab), ids.reshape(b * t), -100).view(b, t).mean(1, false);
        Tensor cls = ops.linear("cls", h.mean(1, false), p.get("cls.weight"), p.get("cls.bias")); // (B, K)
        return tok.add(NN.crossEntropyPerRow(cls, labels, -100));
    }

    void close() { params.values().forEach(Tensor::close); }
}
