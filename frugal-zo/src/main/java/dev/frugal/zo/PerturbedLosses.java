package dev.frugal.zo;

/**
 * The losses of one ZO2 pass at θ + εz and θ − εz; a side the pass did not compute is NaN.
 *
 * @param lossPlus  L(θ + εz) as a float32 loss widened to double, or NaN
 * @param lossMinus L(θ − εz), or NaN
 */
public record PerturbedLosses(double lossPlus, double lossMinus) {}
