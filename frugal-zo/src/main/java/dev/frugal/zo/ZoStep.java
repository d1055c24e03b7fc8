package dev.frugal.zo;

/**
 * The scalars of one ZO-SGD step: everything needed to replay it without a forward pass.
 *
 * @param step              0-based step index
 * @param seed              seed of the perturbation z
 * @param lossPlus          loss at θ + εz
 * @param lossMinus         loss at θ − εz
 * @param projectedGradient g = (loss₊ − loss₋) / 2ε, the directional derivative estimate along z
 * @param lr                learning rate applied with this step's update θ ← θ − lr·g·z
 */
public record ZoStep(long step, long seed, double lossPlus, double lossMinus, double projectedGradient, double lr) {
    /** The mean of the two perturbed losses: the step's training-loss estimate. */
    public double loss() { return (lossPlus + lossMinus) / 2; }
}
