package dev.frugal.zo;

import dev.frugal.model.StagedModel;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/**
 * MeZO's in-memory ZO-SGD exactly as the reference trainer (princeton-nlp/MeZO, {@code trainer.py}) does it, the
 * reference path that frugal's ZO2 engine is tested against. For a step with seed s, one z ~ N(0, I) is drawn per
 * trainable parameter in {@code named_parameters()} order from a generator seeded with s, and regenerated from s
 * instead of stored:
 * <pre>
 *   θ ← θ + (1·z)·ε;  ℓ₊ = L(θ)
 *   θ ← θ + (−2·z)·ε; ℓ₋ = L(θ)
 *   θ ← θ + (1·z)·ε                      (restore; the float rounding drift is MeZO's too)
 *   g = (ℓ₊ − ℓ₋) / (2ε)                 (the float32 losses subtracted in float64, as the fixture does)
 *   θ ← θ − lr·(g·z [+ wd·θ])            (weight decay only off biases and norms)
 * </pre>
 */
public final class MezoReference<B> {
    private final StagedModel model;
    private final ZoObjective<B> objective;
    private final ZoHyperparameters hp;
    private final List<String> names;

    public MezoReference(StagedModel model, ZoObjective<B> objective, ZoHyperparameters hp) {
        this.model = model;
        this.objective = objective;
        this.hp = hp;
        this.names = model.parameterNames();
    }

    /** One step with perturbation seed {@code seed}. */
    public ZoStep step(long step, long seed, B batch) {
        try (GradMode g = GradMode.off(); Scope s = Scope.open();
             Rng rng = Rng.seeded("mezo-z", seed, model.parameter(names.get(0)).device())) { // CUDA: the device's generator
            perturb(rng, 1);
            Tensor lp = objective.fullLoss(model, batch);
            perturb(rng.reseed(seed), -2);
            Tensor lm = objective.fullLoss(model, batch);
            perturb(rng.reseed(seed), 1);
            double lossPlus = lp.itemDouble(), lossMinus = lm.itemDouble();
            double grad = (lossPlus - lossMinus) / (2 * hp.eps());
            update(rng.reseed(seed), grad, hp.lr());
            return new ZoStep(step, seed, lossPlus, lossMinus, grad, hp.lr());
        }
    }

    /** Evaluates the loss without changing anything. */
    public double loss(B batch) {
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            return objective.fullLoss(model, batch).itemDouble();
        }
    }

    private void perturb(Rng rng, double scale) {
        for (String n : names) {
            try (Scope s = Scope.open()) {
                Tensor p = model.parameter(n);
                Tensor z = Tensors.randn(rng, p.dtype(), p.device(), p.shape());
                p.addInPlace(z.mul(scale).mul(hp.eps()), 1.0);
            }
        }
    }

    private void update(Rng rng, double grad, double lr) {
        for (String n : names) {
            try (Scope s = Scope.open()) {
                Tensor p = model.parameter(n);
                Tensor z = Tensors.randn(rng, p.dtype(), p.device(), p.shape());
                Tensor d = z.mul(grad);
                if (hp.weightDecay() > 0 && ZoHyperparameters.decays(n)) d = d.add(p.mul(hp.weightDecay()));
                p.addInPlace(d.mul(lr), -1.0);
            }
        }
    }
}
