package dev.frugal.zo;

import dev.frugal.model.StagedModel;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/**
 * MeZO's in-memory ZO-SGD (Malladi et al. 2023, Algorithm 1) with the float operations of the PyTorch MeZO fixtures
 * ({@code ../shared/fixtures/README.md}), the reference path that frugal's ZO2 engine is tested against. For a step
 * with seed s, one z ~ N(0, I) is drawn per trainable parameter in {@code named_parameters()} order from a generator
 * seeded with s, and regenerated from s instead of stored:
 * <pre>
 *   θ ← θ + (1·z)·ε;  ℓ₊ = L(θ)
 *   θ ← θ + (−2·z)·ε; ℓ₋ = L(θ)           (θ − εz reached as (θ + εz) − 2εz, as MeZO does)
 *   θ ← θ + (1·z)·ε                      (restore by adding εz back; the float rounding drift is MeZO's too)
 *   g = (ℓ₊ − ℓ₋) / (2ε)                 (the float32 losses subtracted and divided in float64)
 *   θ ← θ − (lr·g)·z [− (lr·wd)·θ]       (lr·g one float64 product, rounded once to float32; decay off biases/norms)
 * </pre>
 * The update's order is the fixtures' ({@code theta -= lr*g*z}: a float64 scalar lr·g times the float32 z). MeZO's
 * {@code trainer.py} writes {@code lr * (g * z)}, two float32 roundings: that order leaves about a quarter of the
 * parameters one ulp away from the fixtures' after three steps, and a later loss then one float32 ulp away, which
 * the projected gradient magnifies by 1/(2ε). With this order the parameters of every fixture's trajectory are
 * reproduced bit for bit ({@code MezoFixtureTest}).
 *
 * <p>With a subset ({@link ZoHyperparameters#tuned}) z is drawn for the tuned parameters only, in the same order, and
 * the others are never touched: MeZO with {@code requires_grad=False} on the frozen parameters.
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
        this.names = hp.tuned().isAll() ? model.parameterNames()
                : ParameterLayout.of(model).restrictedTo(hp.tuned()).names(); // requires_grad=False on the others
    }

    /**
     * One step with perturbation seed {@code seed}. With n-SPSA ({@link ZoHyperparameters#samples()} n &gt; 1): the n
     * perturbations k = 0..n−1, seeds {@link ZoHyperparameters#perturbationSeed}(seed, k), each run as above on the same
     * batch (each leaves θ at MeZO's restored θ, drift included, before the next), then the n updates
     * θ ← θ − ((lr/n)·gₖ)·zₖ [− ((lr/n)·wd)·θ] in order k = 0..n−1: θ − lr·(1/n)·Σₖ gₖ·zₖ (MeZO, Appendix, n-SPSA).
     */
    public ZoStep step(long step, long seed, B batch) {
        int n = hp.samples();
        if (n > 1) {
            double[] g = new double[n];
            double plus = 0, minus = 0, mean = 0;
            for (int k = 0; k < n; k++) {
                PerturbedLosses l = perturbedLosses(ZoHyperparameters.perturbationSeed(seed, k), batch);
                g[k] = projectedGradient(l.lossPlus(), l.lossMinus(), hp.eps());
                plus += l.lossPlus();
                minus += l.lossMinus();
                mean += g[k];
            }
            for (int k = 0; k < n; k++) {
                try (GradMode gm = GradMode.off(); Scope s = Scope.open();
                     Rng rng = rng(ZoHyperparameters.perturbationSeed(seed, k))) {
                    update(rng, g[k], hp.lr() / n);
                }
            }
            return new ZoStep(step, seed, plus / n, minus / n, mean / n, hp.lr(),
                    java.util.Arrays.stream(g).boxed().toList());
        }
        PerturbedLosses l = perturbedLosses(seed, batch);
        double grad = projectedGradient(l.lossPlus(), l.lossMinus(), hp.eps());
        update(seed, grad);
        return new ZoStep(step, seed, l.lossPlus(), l.lossMinus(), grad, hp.lr());
    }

    /**
     * The first half of a step: ℓ₊ and ℓ₋ with the parameters shifted by +εz, −2εz and +εz (so left at MeZO's
     * restored θ, drift included).
     */
    public PerturbedLosses perturbedLosses(long seed, B batch) {
        try (GradMode g = GradMode.off(); Scope s = Scope.open(); Rng rng = rng(seed)) {
            perturb(rng, 1);
            Tensor lp = objective.fullLoss(model, batch);
            perturb(rng.reseed(seed), -2);
            Tensor lm = objective.fullLoss(model, batch);
            perturb(rng.reseed(seed), 1);
            return new PerturbedLosses(lp.itemDouble(), lm.itemDouble());
        }
    }

    /** The second half of a step: θ ← θ − (lr·g)·z with z regenerated from {@code seed}. */
    public void update(long seed, double grad) {
        try (GradMode g = GradMode.off(); Scope s = Scope.open(); Rng rng = rng(seed)) {
            update(rng, grad, hp.lr());
        }
    }

    /** g = (ℓ₊ − ℓ₋) / (2ε), in float64 from the float32 losses (the fixtures' rounding; every engine uses this). */
    public static double projectedGradient(double lossPlus, double lossMinus, double eps) {
        return (lossPlus - lossMinus) / (2 * eps);
    }

    private Rng rng(long seed) { // CUDA: the device's generator
        return Rng.seeded("mezo-z", seed, model.parameter(names.get(0)).device());
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
                Tensor d = z.mul(lr * grad); // (lr·g)·z: the float64 product rounded once to float32
                if (hp.weightDecay() > 0 && ZoHyperparameters.decays(n)) d = d.add(p.mul(lr * hp.weightDecay()));
                p.addInPlace(d, -1.0);
            }
        }
    }
}
