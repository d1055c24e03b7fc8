package dev.frugal.zo;

/**
 * An update a ZO2 step leaves for the next pass: θ ← θ − lr·(g·z [+ wd·θ]) with z regenerated from {@code seed}.
 *
 * @param seed perturbation seed of the step that produced it
 * @param grad projected gradient g of that step
 * @param lr   learning rate of that step
 */
record PendingUpdate(long seed, double grad, double lr) {}
