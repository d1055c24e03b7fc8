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
public final class Sgd extends OptimizerBase {

    private final SgdConfig config;
    private final Tensor[] buffers;

    /** An SGD over {@code params} (leaf tensors with {@code requiresGrad}). */
    public Sgd(List<Tensor> params, SgdConfig config) {
        super(params, Objects.requireNonNull(config, "config").lr());
        this.config = config;
        this.buffers = new Tensor[this.params.size()];
    }

    /** The hyper-parameters (the learning rate there is the initial one; see {@link #lr()}). */
    public SgdConfig config() {
        return config;
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
    public void close() {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                buffers[i].close();
                buffers[i] = null;
            }
        }
    }
}
