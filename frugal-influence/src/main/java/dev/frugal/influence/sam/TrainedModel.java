package dev.frugal.influence.sam;

import dev.frugal.influence.model.ModelSpec;
import java.util.List;
import java.util.Objects;

/**
 * A SAM-trained flat model and what influence methods need to know about its training.
 *
 * @param spec        the model
 * @param theta       θ* {@code (P)}
 * @param sam         the SAM settings it was trained with
 * @param weightDecay λ of the training objective
 * @param gradNorm    ‖G(θ*) + λθ*‖ over the full training set (how far from SAM's fixed point)
 * @param steps       optimiser steps taken
 * @param dataFingerprint {@link dev.frugal.influence.data.Dataset#fingerprint()} of the training set
 * @param trajectory  checkpoints in step order (may be empty)
 */
public record TrainedModel(ModelSpec spec, double[] theta, SamConfig sam, double weightDecay, double gradNorm,
                           long steps, String dataFingerprint, List<Checkpoint> trajectory) {
    public TrainedModel {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(sam, "sam");
        trajectory = List.copyOf(trajectory);
        if (theta.length != spec.build().numParams()) {
            throw new IllegalArgumentException("θ has " + theta.length + " values, the " + spec + " has "
                    + spec.build().numParams() + " parameters");
        }
    }
}
