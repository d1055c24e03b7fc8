package dev.frugal.influence.sam;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The SAM optimiser over any parameters and any base optimiser (SGD or AdamW), in {@code dev.frugal.train} style: two
 * forward/backward passes per micro-batch (Foret et al. 2021, Algorithm 1):
 *
 * <pre>
 *   for each micro-batch k:  g_k = ∇L_k(θ);  ε_k = ρ T² g_k / ‖T g_k‖;  G += ∇L_k(θ + ε_k)
 *   θ.grad ← G;  base.step()              (the base applies momentum, Adam moments and weight decay at θ)
 * </pre>
 * The closure returns micro-batch k's share of the batch objective (its summed loss over the batch size), so the
 * summed G is the batch gradient SAM uses. This is the reference path; {@link SamGradient} is the vectorised one.
 */
public final class Sam implements AutoCloseable {
    private final List<Tensor> params;
    private final Optimizer base;
    private final SamConfig config;
    private final List<Tensor> lastPerturbation = new ArrayList<>();

    /** SAM over {@code base}'s parameters. */
    public Sam(Optimizer base, SamConfig config) {
        this.base = Objects.requireNonNull(base, "base");
        this.config = Objects.requireNonNull(config, "config");
        this.params = base.parameters();
    }

    public SamConfig config() { return config; }

    public Optimizer base() { return base; }

    /**
     * Leaves G in every parameter's {@code .grad} without stepping (what {@link #step} applies).
     *
     * @param microBatches     K ≥ 1
     * @param microBatchLoss   k → micro-batch k's share of the batch loss (a scalar with autograd history)
     * @return the batch loss at θ (sum of the closures' first evaluations)
     */
    public double computeGradient(int microBatches, IntFunction<Tensor> microBatchLoss) {
        if (microBatches < 1) throw new IllegalArgumentException("SAM needs >= 1 micro-batch, got " + microBatches);
        clearPerturbation();
        List<Tensor> sum = new ArrayList<>();
        for (Tensor p : params) sum.add(Tensors.zerosLike(p).keep());
        double loss = 0;
        for (int k = 0; k < microBatches; k++) {
            try (Scope s = Scope.open()) {
                base.zeroGrad();
                Tensor l = microBatchLoss.apply(k);
                loss += l.itemDouble();
                l.backward();                                                     // pass 1: g_k at θ
                List<Tensor> saved = new ArrayList<>();
                try (GradMode off = GradMode.off()) {
                    double sq = 0;
                    List<Tensor> tg = new ArrayList<>();
                    for (Tensor p : params) {
                        Tensor g = p.grad().defined() ? p.grad() : Tensors.zerosLike(p);
                        Tensor t = config.adaptive() ? p.abs().add(config.adaptiveEta()) : null;
                        Tensor u = t == null ? g : g.mul(t);                      // T g
                        sq += u.square().sum().itemDouble();
                        tg.add(t == null ? u : u.mul(t));                         // T² g
                    }
                    double scale = config.rho() / (Math.sqrt(sq) + 1e-12);
                    for (int i = 0; i < params.size(); i++) {
                        Tensor p = params.get(i);
                        Tensor e = tg.get(i).mul(scale);
                        saved.add(p.cloneTensor());
                        p.addInPlace(e);                                          // θ + ε_k
                        if (k == microBatches - 1) lastPerturbation.add(e.keep());
                    }
                }
                base.zeroGrad();
                microBatchLoss.apply(k).backward();                               // pass 2: ∇L_k(θ + ε_k)
                try (GradMode off = GradMode.off()) {
                    for (int i = 0; i < params.size(); i++) {
                        Tensor p = params.get(i);
                        if (p.grad().defined()) sum.get(i).addInPlace(p.grad());
                        p.copyFrom(saved.get(i));                                 // back to θ exactly
                    }
                }
            }
        }
        for (int i = 0; i < params.size(); i++) {
            params.get(i).setGrad(sum.get(i));
            sum.get(i).close();
        }
        return loss;
    }

    /** One SAM step: {@link #computeGradient} then the base optimiser's step. */
    public double step(int microBatches, IntFunction<Tensor> microBatchLoss) {
        double loss = computeGradient(microBatches, microBatchLoss);
        base.step();
        return loss;
    }

    /** ε of the last micro-batch of the last step, per parameter (owned by this optimiser). */
    public List<Tensor> lastPerturbation() { return List.copyOf(lastPerturbation); }

    private void clearPerturbation() {
        for (Tensor e : lastPerturbation) e.close();
        lastPerturbation.clear();
    }

    @Override
    public void close() {
        clearPerturbation();
        base.close();
    }
}
