package dev.frugal.influence.method;

import dev.frugal.influence.data.Dataset;

/**
 * One influence method applied to a trained model. Every score is a <em>predicted change in loss when the training
 * example is removed</em> (leave-one-out), so all methods share one sign and scale: positive means removing the
 * example would raise the loss (the example helped), negative means it hurt.
 */
public sealed interface InfluenceMethod extends AutoCloseable
        permits HessianInfluence, TrajectoryInfluence, LossRanking {

    Method method();

    /** {@code (N, M)}: the predicted change of test example t's loss when training example i is removed. */
    double[][] scores(Dataset test);

    /** {@code (N)}: the predicted change of the mean loss over {@code test} when training example i is removed. */
    double[] meanTestScores(Dataset test);

    /** {@code (N)}: the predicted rise of training example i's own loss when it is removed (mislabel detection). */
    double[] selfInfluence();

    @Override
    default void close() {}
}
