package dev.frugal.influence.experiment;

import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.solve.IhvpSolver;
import java.util.List;
import java.util.Objects;

/**
 * The mislabel-detection experiment.
 *
 * @param kind            the model
 * @param hidden          MLP hidden units (0 for logistic regression)
 * @param train           SAM training of the noisy model and of every retraining
 * @param checkpointEvery trajectory checkpoints (sam-gif, tracin)
 * @param flipFraction    fraction of training labels flipped (seeded), in (0, 1)
 * @param solver          iHVP solver of the Hessian methods
 * @param damping         δ &gt; 0
 * @param methods         methods compared
 * @param seed            flip seed
 * @param maxGradNorm     the Hessian methods refuse a noisy model whose ‖G(θ*) + λθ*‖ exceeds this (they assume SAM's
 *                        fixed point), unless {@code force}
 * @param force           score an unconverged model with the Hessian methods anyway (its norm is reported)
 */
public record MislabelConfig(ModelSpec.Kind kind, int hidden, TrainConfig train, int checkpointEvery,
                             double flipFraction, IhvpSolver solver, double damping, List<Method> methods, long seed,
                             double maxGradNorm, boolean force) {
    public MislabelConfig {
        Objects.requireNonNull(kind, "kind");
        if (!(maxGradNorm > 0)) throw new dev.frugal.InvalidSettingException("maxGradNorm", "must be > 0, got "
                + maxGradNorm);
        methods = List.copyOf(methods);
        if (!(flipFraction > 0 && flipFraction < 1)) throw new dev.frugal.InvalidSettingException("flip", "must lie in (0, 1),"
                + " got " + flipFraction);
    }
}
