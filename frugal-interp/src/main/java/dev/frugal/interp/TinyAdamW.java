package dev.frugal.interp;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A minimal AdamW (Loshchilov and Hutter 2019) for training the small circuit-discovery models: decoupled weight
 * decay, bias-corrected moments. Stands in until frugal's shared trainer ({@code dev.frugal.train}) lands; swap it
 * out then.
 */
final class TinyAdamW implements AutoCloseable {
    private final List<Tensor> params = new ArrayList<>();
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();
    private final double lr, beta1, beta2, eps, weightDecay;
    private int step;

    TinyAdamW(Collection<Tensor> params, double lr, double weightDecay) {
        this.lr = lr;
        this.beta1 = 0.9;
        this.beta2 = 0.99;
        this.eps = 1e-8;
        this.weightDecay = weightDecay;
        for (Tensor p : params) {
            p.requiresGrad(true);
            this.params.add(p);
            m.add(Tensors.zerosLike(p).keep());
            v.add(Tensors.zerosLike(p).keep());
        }
    }

    /** One update from the accumulated gradients, which are then cleared. */
    void step(double lrScale) {
        step++;
        double a = lr * lrScale;
        try (GradMode off = GradMode.off(); Scope s = Scope.open()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i), g = p.grad();
                if (!g.defined()) continue;
                p.mulInPlace(1 - a * weightDecay);
                m.get(i).mulInPlace(beta1).addInPlace(g, 1 - beta1);
                v.get(i).mulInPlace(beta2).addcmulInPlace(g, g, 1 - beta2);
                Tensor denom = v.get(i).sqrt().div(Math.sqrt(1 - Math.pow(beta2, step))).add(eps);
                p.addcdivInPlace(m.get(i), denom, -a / (1 - Math.pow(beta1, step)));
                p.clearGrad();
            }
        }
    }

    @Override
    public void close() {
        for (Tensor t : m) t.close();
        for (Tensor t : v) t.close();
        try (GradMode off = GradMode.off()) {
            for (Tensor p : params) p.requiresGrad(false);
        }
    }
}
