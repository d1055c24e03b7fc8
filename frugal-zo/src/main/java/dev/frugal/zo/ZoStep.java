package dev.frugal.zo;

import java.util.List;

/**
 * The scalars of one ZO-SGD step: everything needed to replay it without a forward pass.
 *
 * <p>With n-SPSA ({@link ZoHyperparameters#samples()} n &gt; 1) the step's losses and g are the means over its n
 * perturbations and {@code sampleGradients} holds each gₖ (the update uses those, with the seeds
 * {@link ZoHyperparameters#perturbationSeed(long, int)} of {@code seed}); with n = 1 it is empty and the record is the
 * one-perturbation step as before (a history written before n-SPSA existed reads so).
 *
 * @param step              0-based step index
 * @param seed              seed of the perturbation z (n-SPSA: the step seed the n seeds derive from)
 * @param lossPlus          loss at θ + εz (n-SPSA: the mean over the n perturbations)
 * @param lossMinus         loss at θ − εz (n-SPSA: the mean)
 * @param projectedGradient g = (loss₊ − loss₋) / 2ε, the directional derivative estimate along z (n-SPSA: the mean
 *                          of the gₖ)
 * @param lr                learning rate applied with this step's update θ ← θ − lr·g·z
 * @param sampleGradients   n-SPSA: g₀ … gₙ₋₁ of the n perturbations; empty for one perturbation
 */
public record ZoStep(long step, long seed, double lossPlus, double lossMinus, double projectedGradient, double lr,
                     List<Double> sampleGradients) {
    /** A one-perturbation step. */
    public ZoStep(long step, long seed, double lossPlus, double lossMinus, double projectedGradient, double lr) {
        this(step, seed, lossPlus, lossMinus, projectedGradient, lr, List.of());
    }

    public ZoStep {
        sampleGradients = sampleGradients == null ? List.of() : List.copyOf(sampleGradients);
        if (sampleGradients.size() == 1) throw new IllegalArgumentException("step " + step + ": one perturbation's g"
                + " is projectedGradient; sampleGradients holds n >= 2 of them or none");
    }

    /** The mean of the two perturbed losses: the step's training-loss estimate. */
    public double loss() { return (lossPlus + lossMinus) / 2; }

    /** Perturbations of this step (n of n-SPSA; 1 for MeZO's one). */
    public int samples() { return sampleGradients.isEmpty() ? 1 : sampleGradients.size(); }
}
