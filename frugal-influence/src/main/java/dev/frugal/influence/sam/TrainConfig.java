package dev.frugal.influence.sam;

import dev.frugal.tensor.DType;
import java.util.Objects;

/**
 * How {@link SamTrainer} trains a flat model.
 *
 * @param sam             the SAM settings (ρ = 0: plain descent)
 * @param base            the base optimiser SAM's direction is handed to
 * @param lr              learning rate γ &gt; 0
 * @param momentum        heavy-ball momentum μ ∈ [0, 1) for SGD (ignored by AdamW)
 * @param weightDecay     λ ≥ 0: coupled L2 for SGD, decoupled for AdamW
 * @param batchSize       examples per step; 0 = the full training set (deterministic full-batch SAM)
 * @param maxSteps        step budget ≥ 1
 * @param tolerance       stop when ‖G(θ) + λθ‖ over the full training set falls below this (full batch only)
 * @param checkpointEvery save a trajectory checkpoint every this many steps (0: none)
 * @param seed            data-order seed
 * @param dtype           compute dtype (F64 for leave-one-out checks, F32 otherwise)
 */
public record TrainConfig(SamConfig sam, BaseOptimizer base, double lr, double momentum, double weightDecay,
                          int batchSize, int maxSteps, double tolerance, int checkpointEvery, long seed, DType dtype) {

    /** The optimiser that applies SAM's direction. */
    public enum BaseOptimizer { SGD, ADAMW }

    public TrainConfig {
        Objects.requireNonNull(sam, "sam");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(dtype, "dtype");
        if (!(lr > 0) || Double.isInfinite(lr)) throw new dev.frugal.InvalidSettingException("lr", "must be > 0, got " + lr);
        if (!(momentum >= 0 && momentum < 1)) throw new dev.frugal.InvalidSettingException("momentum", "must lie in [0, 1), got "
                + momentum);
        dev.frugal.InvalidSettingException.require(weightDecay >= 0, "weightDecay", "must be >= 0, got " + weightDecay);
        dev.frugal.InvalidSettingException.require(batchSize >= 0, "batchSize", "must be >= 0 (0: full batch), got " + batchSize);
        dev.frugal.InvalidSettingException.require(maxSteps >= 1, "maxSteps", "must be >= 1, got " + maxSteps);
        dev.frugal.InvalidSettingException.require(checkpointEvery >= 0, "checkpointEvery", "must be >= 0, got " + checkpointEvery);
        dev.frugal.InvalidSettingException.require(tolerance >= 0, "tolerance", "must be >= 0, got " + tolerance);
        if (dtype != DType.F32 && dtype != DType.F64) {
            throw new IllegalArgumentException("influence training computes in F32 or F64, got " + dtype);
        }
    }

    /** Full-batch SAM with SGD + momentum: the setting whose fixed point influence functions describe. */
    public static TrainConfig fullBatch(SamConfig sam, double lr, double weightDecay, int maxSteps, double tolerance) {
        return new TrainConfig(sam, BaseOptimizer.SGD, lr, 0.9, weightDecay, 0, maxSteps, tolerance, 0, 0, DType.F64);
    }

    public TrainConfig withCheckpointEvery(int c) {
        return new TrainConfig(sam, base, lr, momentum, weightDecay, batchSize, maxSteps, tolerance, c, seed, dtype);
    }

    public TrainConfig withMaxSteps(int s) {
        return new TrainConfig(sam, base, lr, momentum, weightDecay, batchSize, s, tolerance, checkpointEvery, seed,
                dtype);
    }

    public TrainConfig withSam(SamConfig s) {
        return new TrainConfig(s, base, lr, momentum, weightDecay, batchSize, maxSteps, tolerance, checkpointEvery,
                seed, dtype);
    }

    public TrainConfig withBatch(int b, BaseOptimizer o, double newLr) {
        return new TrainConfig(sam, o, newLr, momentum, weightDecay, b, maxSteps, tolerance, checkpointEvery, seed,
                dtype);
    }

    public TrainConfig withDtype(DType d) {
        return new TrainConfig(sam, base, lr, momentum, weightDecay, batchSize, maxSteps, tolerance, checkpointEvery,
                seed, d);
    }
}
