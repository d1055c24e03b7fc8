package dev.frugal.influence.method;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.influence.solve.IhvpSolver;
import dev.frugal.tensor.DType;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * What every influence method is computed from, checked once.
 *
 * @param trained        the SAM-trained model (θ*, SAM settings, λ, trajectory)
 * @param train          its training set
 * @param solver         the inverse-Hessian-vector solver (Hessian methods)
 * @param damping        δ &gt; 0 added to the Hessian / SAM Jacobian: solves use A + δI
 * @param maxGradNorm    refuse a model whose ‖G(θ*) + λθ*‖ exceeds this, unless {@code force}
 * @param force          score a model that has not converged anyway
 * @param dtype          compute dtype
 * @param progress       called with work units done (solves, checkpoints); may be null
 */
public record InfluenceSetup(TrainedModel trained, Dataset train, IhvpSolver solver, double damping,
                             double maxGradNorm, boolean force, DType dtype, IntConsumer progress) {

    public InfluenceSetup {
        Objects.requireNonNull(trained, "trained");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(solver, "solver");
        Objects.requireNonNull(dtype, "dtype");
        if (!(damping > 0) || Double.isInfinite(damping)) {
            throw new InfluenceInputException("--damping must be a finite value > 0, got " + damping
                    + ": the damped Hessian A + δI needs δ > 0 (try 1e-3)");
        }
        dev.frugal.InvalidSettingException.require(maxGradNorm > 0, "maxGradNorm", "must be > 0, got " + maxGradNorm);
        FlatModel m = trained.spec().build();
        if (m.features() != train.features() || m.classes() != train.classes()) {
            throw new InfluenceInputException("the model (" + trained.spec() + ") does not match the data "
                    + train.name() + " (" + train.features() + " features, " + train.classes() + " classes)");
        }
    }

    /** Defaults: exact solver, δ = 1e-3, refuse ‖G‖ &gt; 1e-3, F64. */
    public static InfluenceSetup of(TrainedModel trained, Dataset train) {
        return new InfluenceSetup(trained, train, IhvpSolver.parse("exact"), 1e-3, 1e-3, false, DType.F64, null);
    }

    public InfluenceSetup withSolver(IhvpSolver s, double d) {
        return new InfluenceSetup(trained, train, s, d, maxGradNorm, force, dtype, progress);
    }

    public InfluenceSetup withConvergence(double maxNorm, boolean f) {
        return new InfluenceSetup(trained, train, solver, damping, maxNorm, f, dtype, progress);
    }

    public InfluenceSetup withProgress(IntConsumer p) {
        return new InfluenceSetup(trained, train, solver, damping, maxGradNorm, force, dtype, p);
    }

    public InfluenceSetup withDtype(DType d) {
        return new InfluenceSetup(trained, train, solver, damping, maxGradNorm, force, d, progress);
    }

    public FlatModel model() { return trained.spec().build(); }

    /** The method {@code m} on this setup. */
    public InfluenceMethod create(Method m) {
        if (m.usesSolver() && !force && !(trained.gradNorm() <= maxGradNorm)) {
            throw new InfluenceInputException("the model has not converged: ‖G(θ*) + λθ*‖ = "
                    + String.format("%.3g", trained.gradNorm()) + " > " + maxGradNorm + " (Hessian influence assumes"
                    + " SAM's fixed point): train longer (--steps) or pass --force");
        }
        return switch (m) {
            case SAM_HIF, IF -> new HessianInfluence(this, m);
            case SAM_GIF, TRACIN -> new TrajectoryInfluence(this, m);
            case LOSS -> new LossRanking(this);
        };
    }
}
