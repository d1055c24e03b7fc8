package dev.frugal.influence.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * A one-hidden-layer perceptron {@code logits = tanh(x W₁ + b₁) W₂ + b₂}; θ = [W₁ (F, H), b₁ (H), W₂ (H, C), b₂ (C)].
 * tanh rather than ReLU: a smooth activation gives a Hessian that varies smoothly with θ, which the Hessian-based
 * influence at SAM's perturbed weights relies on.
 */
public record Mlp(int features, int hidden, int classes) implements FlatModel {

    public Mlp {
        new ModelSpec(ModelSpec.Kind.MLP, features, hidden, classes); // validates
    }

    @Override
    public long numParams() { return (long) features * hidden + hidden + (long) hidden * classes + classes; }

    @Override
    public ModelSpec spec() { return new ModelSpec(ModelSpec.Kind.MLP, features, hidden, classes); }

    /** Weights N(0, 1/fan_in), biases zero. */
    @Override
    public Tensor init(Rng rng, DType dtype) {
        Tensor w1 = Tensors.randn(rng, dtype, Device.CPU, (long) features * hidden).mul(1 / Math.sqrt(features));
        Tensor w2 = Tensors.randn(rng, dtype, Device.CPU, (long) hidden * classes).mul(1 / Math.sqrt(hidden));
        return Tensors.cat(java.util.List.of(w1, Tensors.zeros(dtype, Device.CPU, hidden), w2,
                Tensors.zeros(dtype, Device.CPU, classes)), 0);
    }

    @Override
    public Tensor logits(Tensor theta, Tensor x) {
        long o1 = (long) features * hidden, o2 = o1 + hidden, o3 = o2 + (long) hidden * classes;
        Tensor h = x.matmul(theta.narrow(0, 0, o1).view(features, hidden)).add(theta.narrow(0, o1, hidden)).tanh();
        return h.matmul(theta.narrow(0, o2, (long) hidden * classes).view(hidden, classes))
                .add(theta.narrow(0, o3, classes));                                      // (N, C)
    }

    @Override
    public Tensor logitsPerRow(Tensor thetaRows, Tensor x) {
        long n = x.size(0);
        long o1 = (long) features * hidden, o2 = o1 + hidden, o3 = o2 + (long) hidden * classes;
        Tensor w1 = thetaRows.narrow(1, 0, o1).reshape(n, features, hidden);           // (N, F, H)
        Tensor h = x.unsqueeze(1).matmul(w1).squeeze(1).add(thetaRows.narrow(1, o1, hidden)).tanh(); // (N, H)
        Tensor w2 = thetaRows.narrow(1, o2, (long) hidden * classes).reshape(n, hidden, classes); // (N, H, C)
        return h.unsqueeze(1).matmul(w2).squeeze(1).add(thetaRows.narrow(1, o3, classes)); // (N, C)
    }
}
