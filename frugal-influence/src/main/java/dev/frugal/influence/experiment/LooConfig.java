package dev.frugal.influence.experiment;

import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.solve.IhvpSolver;
import java.util.List;
import java.util.Objects;

/**
 * The leave-one-out and LDS check.
 *
 * @param kind           the model (LOGREG: convex; MLP with {@code hidden} units)
 * @param hidden         MLP hidden units (0 for logistic regression)
 * @param removals       training examples left out one at a time (≥ 1; the issue asks for ≥ 100)
 * @param ldsSubsets     random subsets for the linear datamodeling score (0: skip LDS)
 * @param ldsFraction    fraction of the training set each subset keeps
 * @param ldsTest        test examples the LDS averages over
 * @param train          how θ* and every retraining are trained (full batch, to {@code tolerance})
 * @param checkpointEvery trajectory checkpoints of the first training (for sam-gif and tracin)
 * @param solver         the iHVP solver of the Hessian methods
 * @param damping        δ &gt; 0
 * @param methods        the methods compared
 * @param seed           split, removal choice and subset seed
 */
public record LooConfig(ModelSpec.Kind kind, int hidden, int removals, int ldsSubsets,
                        double ldsFraction, int ldsTest, TrainConfig train, int checkpointEvery, IhvpSolver solver,
                        double damping, List<Method> methods, long seed) {
    public LooConfig {
        Objects.requireNonNull(kind, "kind");
        methods = List.copyOf(methods);
        if (removals < 2) throw new dev.frugal.InvalidSettingException("removals", "must be >= 2, got " + removals);
        dev.frugal.InvalidSettingException.require(ldsSubsets >= 0, "ldsSubsets", "must be >= 0, got " + ldsSubsets);
        dev.frugal.InvalidSettingException.require(ldsFraction > 0 && ldsFraction < 1, "ldsFraction", "must lie in (0, 1), got " + ldsFraction);
        dev.frugal.InvalidSettingException.require(ldsTest >= 1, "ldsTest", "must be >= 1 test example, got " + ldsTest);
    }
}
