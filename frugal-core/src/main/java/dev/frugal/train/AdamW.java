package dev.frugal.train;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;
import java.util.Objects;

/**
 * AdamW written as in-place tensor updates, bit-identical to libtorch's {@code torch::optim::AdamW} (checked in
 * {@code TorchOptimizerParityTest}). For each parameter θ with gradient g at its step t:
 *
 * <pre>
 *   θ ← θ·(1 − γλ)                                  decoupled weight decay
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²      first and second moments
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * (Loshchilov &amp; Hutter 2019, Algorithm 2, in libtorch's order of operations.) The moments are created lazily on a
 * parameter's first step, on its device and dtype.
 */
public final class AdamW extends OptimizerBase {

    private final AdamWConfig config;
    private final Tensor[] m;
    private final Tensor[] v;
    private final long[] paramSteps;

    /** An AdamW over {@code params} (leaf tensors with {@code requiresGrad}). */
    public AdamW(List<Tensor> params, AdamWConfig config) {
        super(params, Objects.requireNonNull(config, "config").lr());
        this.config = config;
        this.m = new Tensor[this.params.size()];
        this.v = new Tensor[this.params.size()];
        this.paramSteps = new long[this.params.size()];
    }

    /** The hyper-parameters (the learning rate there is the initial one; see {@link #lr()}). */
    public AdamWConfig config() {
        return config;
    }

    @Override
    public void step() {
        double b1 = config.beta1();
        double b2 = config.beta2();
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (!g.defined()) {
                    continue;
                }
                if (m[i] == null) {
                    m[i] = Tensors.zerosLike(p).keep();
                    v[i] = Tensors.zerosLike(p).keep();
                }
                long t = ++paramSteps[i];
                p.mulInPlace(1 - lr * config.weightDecay());
                m[i].mulInPlace(b1).addInPlace(g, 1 - b1);
                v[i].mulInPlace(b2).addcmulInPlace(g, g, 1 - b2);
                double biasCorrection1 = 1 - Math.pow(b1, t);
                double biasCorrection2 = 1 - Math.pow(b2, t);
                Tensor denom = v[i].sqrt().div(Math.sqrt(biasCorrection2)).add(config.eps());
                p.addcdivInPlace(m[i], denom, -lr / biasCorrection1);
            }
        }
        steps++;
    }

    @Override
    public void close() {
        for (int i = 0; i < m.length; i++) {
            if (m[i] != null) {
                m[i].close();
                v[i].close();
                m[i] = null;
                v[i] = null;
            }
        }
    }


    /**
     * The moments, for a checkpoint: {@code exp_avg.i} and {@code exp_avg_sq.i} (torch's names) for each parameter
     * index {@code i} that has taken a step. The live tensors, not copies: write them before the next step.
     */
    public java.util.Map<String, Tensor> stateTensors() {
        java.util.Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < m.length; i++) {
            if (m[i] == null) {
                continue;
            }
            out.put("exp_avg." + i, m[i]);
            out.put("exp_avg_sq." + i, v[i]);
        }
        return out;
    }

    /** The steps each parameter has taken (its bias-correction step t). */
    public long[] parameterSteps() {
        return paramSteps.clone();
    }

    /**
     * Restores a state saved from {@link #stateTensors()}, {@link #parameterSteps()} and {@link #steps()}: the moments
     * are copied into tensors this optimizer owns, so that the next step continues exactly where the saved run was.
     *
     * @throws IllegalArgumentException when the counts or shapes do not match this optimizer's parameters
     */
    public void loadState(java.util.Map<String, Tensor> tensors, long[] parameterSteps, long optimizerSteps) {
        if (parameterSteps.length != params.size()) {
            throw new IllegalArgumentException("saved state has " + parameterSteps.length + " parameters, this optimizer "
                    + params.size());
        }
        close();
        for (int i = 0; i < params.size(); i++) {
            Tensor sm = tensors.get("exp_avg." + i);
            Tensor sv = tensors.get("exp_avg_sq." + i);
            if (sm == null || sv == null) {
                if (parameterSteps[i] != 0) {
                    throw new IllegalArgumentException("saved state lacks the moments of parameter " + i);
                }
                continue;
            }
            if (!java.util.Arrays.equals(sm.shape(), params.get(i).shape())) {
                throw new IllegalArgumentException("saved moments of parameter " + i + " have shape "
                        + java.util.Arrays.toString(sm.shape()) + ", the parameter " + java.util.Arrays.toString(params.get(i).shape()));
            }
            try (GradMode off = GradMode.off()) {
                m[i] = Tensors.zerosLike(params.get(i)).keep().copyFrom(sm);
                v[i] = Tensors.zerosLike(params.get(i)).keep().copyFrom(sv);
            }
        }
        System.arraycopy(parameterSteps, 0, paramSteps, 0, paramSteps.length);
        steps = optimizerSteps;
    }
}
