package dev.frugal.dp.tasks;

import dev.frugal.model.LayerOps;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Set;

/** A private training task (for {@link PrivateTraining}): data, model, per-example loss and test evaluation. */
public interface DpTask extends AutoCloseable {
    /** Test metrics: accuracy (token accuracy for language modelling), mean loss, examples. */
    record Evaluation(double accuracy, double loss, long examples) {}

    /** A one-line description (model, data sizes). */
    String describe();

    /** Training examples N (the population Poisson sampling draws from). */
    long trainSize();

    /** The parameters DP-SGD trains, in order (frozen ones left out). */
    LinkedHashMap<String, Tensor> trainable();

    /**
     * Trainable parameters that form the classifier head (they take their own learning rate); empty when the task has no
     * separate head.
     */
    default Set<String> headParameters() { return Set.of(); }

    /** Per-example losses {@code (B)} of training examples {@code indices}, forward through {@code ops}. */
    Tensor perSampleLoss(long[] indices, LayerOps ops);

    /** Metrics on the test split (no privacy cost: the test set is not the private training data). */
    Evaluation evaluate();

    /**
     * Test accuracy of always predicting the most frequent class of the training examples (NaN when not a
     * classification task): the baseline a trained classifier must beat.
     */
    double majorityBaseline();

    @Override
    void close();
}
