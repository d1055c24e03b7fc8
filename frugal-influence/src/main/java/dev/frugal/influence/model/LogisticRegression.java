package dev.frugal.influence.model;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * Multinomial logistic regression {@code logits = x W + b}; θ = [W (F, C) row-major, b (C)]. With an L2 penalty its
 * training loss is strictly convex, the setting where influence functions are expected to match retraining.
 */
public record LogisticRegression(int features, int classes) implements FlatModel {

    public LogisticRegression {
        new ModelSpec(ModelSpec.Kind.LOGREG, features, 0, classes); // validates
    }

    @Override
    public long numParams() { return (long) features * classes + classes; }

    @Override
    public ModelSpec spec() { return new ModelSpec(ModelSpec.Kind.LOGREG, features, 0, classes); }

    /** Zeros: the convex problem needs no symmetry breaking. */
    @Override
    public Tensor init(Rng rng, DType dtype) { return Tensors.zeros(dtype, Device.CPU, numParams()); }

    @Override
    public Tensor logits(Tensor theta, Tensor x) {
        long fc = (long) features * classes;
        Tensor w = theta.narrow(0, 0, fc).view(features, classes);        // (F, C)
        Tensor b = theta.narrow(0, fc, classes);                           // (C)
        return x.matmul(w).add(b);                                         // (N, C)
    }

    @Override
    public Tensor logitsPerRow(Tensor thetaRows, Tensor x) {
        long n = x.size(0), fc = (long) features * classes;
        Tensor w = thetaRows.narrow(1, 0, fc).reshape(n, features, classes); // (N, F, C)
        Tensor b = thetaRows.narrow(1, fc, classes);                         // (N, C)
        return x.unsqueeze(1).matmul(w).squeeze(1).add(b);                   // (N, 1, F) @ (N, F, C) → (N, C)
    }
}
