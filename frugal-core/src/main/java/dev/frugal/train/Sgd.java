package dev.frugal.train;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, in libtorch's
 * {@code torch::optim::SGD} order of operations (checked bit for bit in {@code TorchOptimizerParityTest}):
 *
 * <pre>
 *   d ← g + λθ
 *   b ← d on the first step, else μb + (1 − τ)d       (when μ &gt; 0)
 *   d ← d + μb if Nesterov, else b                    (when μ &gt; 0)
 *   θ ← θ − γd
 * </pre>
 */
public final class Sgd implements Optimizer {

    private final List<Tensor> params;
    private final SgdConfig config;
    private final Tensor[] buffers;
    private double lr;
    private long steps;

    /** An SGD over {@code params} (leaf tensors with {@code requiresGrad}). */
    public Sgd(List<Tensor> params, SgdConfig config) {
        this.params = List.copyOf(params);
        this.config = Objects.requireNonNull(config, "config");
        this.lr = config.lr();
        for (int i = 0; i < this.params.size(); i++) {
            if (!this.params.get(i).requiresGrad()) {
                throw new IllegalArgumentException("parameter " + i + " (" + this.params.get(i) + ") does not require"
                        + " grad: call requiresGrad(true) on it, or leave it out of the optimizer");
            }
        }
        this.buffers = new Tensor[this.params.size()];
    }

    /** The hyper-parameters (the learning rate there is the initial one; see {@link #lr()}). */
    public SgdConfig config() {
        return config;
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }

    @Override
    public void step() {
        double mu = config.momentum();
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor d = p.grad();
                if (!d.defined()) {
                    continue;
                }
                if (config.weightDecay() != 0) {
                    d = d.add(p, config.weightDecay());
                }
                if (mu != 0) {
                    if (buffers[i] == null) {
                        buffers[i] = d.cloneTensor().detach().keep();
                    } else {
                        buffers[i].mulInPlace(mu).addInPlace(d, 1 - config.dampening());
                    }
                    d = config.nesterov() ? d.add(buffers[i], mu) : buffers[i];
                }
                p.addInPlace(d, -lr);
            }
        }
        steps++;
    }

    @Override
    public double lr() {
        return lr;
    }

    @Override
    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be a finite value >= 0, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].close();
                buffers[i] = null;
            }
        }
    }
}
