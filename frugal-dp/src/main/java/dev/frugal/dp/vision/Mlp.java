package dev.frugal.dp.vision;

import dev.frugal.model.LayerOps;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;

/** A one-hidden-layer tanh MLP on flattened images: {@code (B, 1, H, W)} → 784 → hidden → 10. */
public final class Mlp implements ImageClassifier {
    private final LinkedHashMap<String, Tensor> p = new LinkedHashMap<>();

    public Mlp(Rng rng, int inputs, int hidden, int classes) {
        try (Scope s = Scope.open()) {
            p.put("fc1.weight", ImageClassifier.uniformInit(rng, inputs, hidden, inputs));
            p.put("fc1.bias", ImageClassifier.uniformInit(rng, inputs, hidden));
            p.put("fc2.weight", ImageClassifier.uniformInit(rng, hidden, classes, hidden));
            p.put("fc2.bias", ImageClassifier.uniformInit(rng, hidden, classes));
        }
    }

    @Override
    public LinkedHashMap<String, Tensor> parameters() { return p; }

    @Override
    public Tensor logits(Tensor x, LayerOps ops) {
        Tensor h = x.reshape(x.size(0), -1);
        h = ops.linear("fc1", h, p.get("fc1.weight"), p.get("fc1.bias")).tanh();
        return ops.linear("fc2", h, p.get("fc2.weight"), p.get("fc2.bias"));
    }
}
