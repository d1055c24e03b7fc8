package dev.frugal.train;

import dev.frugal.tensor.Tensor;
import java.util.List;

/**
 * What every optimizer here keeps: its parameters (leaf tensors with {@code requiresGrad}, checked once), the current
 * learning rate and the number of steps taken.
 */
abstract sealed class OptimizerBase implements Optimizer permits AdamW, Sgd {
    protected final List<Tensor> params;
    protected double lr;
    protected long steps;

    OptimizerBase(List<Tensor> params, double lr) {
        this.params = List.copyOf(params);
        this.lr = lr;
        for (int i = 0; i < this.params.size(); i++) {
            if (!this.params.get(i).requiresGrad()) {
                throw new IllegalArgumentException("parameter " + i + " (" + this.params.get(i) + ") does not require"
                        + " grad: call requiresGrad(true) on it, or leave it out of the optimizer");
            }
        }
    }

    @Override
    public final List<Tensor> parameters() {
        return params;
    }

    @Override
    public final double lr() {
        return lr;
    }

    @Override
    public final void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be a finite value >= 0, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public final long steps() {
        return steps;
    }
}
