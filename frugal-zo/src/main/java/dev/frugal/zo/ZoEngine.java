package dev.frugal.zo;

import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import java.util.List;

/**
 * What {@link ZoTrainer} and {@link ZoCheckpoint} need of a ZO engine: {@link Zo2Engine} (blocks in a tier) or
 * {@link DiskStreamEngine} (every parameter on disk).
 *
 * @param <B> the batch type
 */
public interface ZoEngine<B> extends AutoCloseable {
    /** Step {@code t} on {@code batch}: both perturbed losses, the projected gradient, the update left pending. */
    ZoStep step(long t, B batch);

    /** Applies the pending update; a no-op when nothing is pending. */
    void flush();

    /** The mean loss over {@code batches} at the current parameters (flushes first): an evaluation. */
    double meanLoss(List<B> batches);

    /** Whether a step's update is still pending ({@link #flush()} applies it). */
    boolean hasPendingUpdate();

    ZoHyperparameters hyperparameters();

    /** The dtype the engine stores its offloaded parameters in (recorded in checkpoints). */
    DType storageDtype();

    /**
     * Every parameter's checkpoint entry (name, dtype, shape), in {@code model.parameterNames()} order: what
     * {@link #writeParameters} will put.
     */
    List<SafetensorsWriter.Entry> checkpointLayout(StagedModel model);

    /**
     * Puts every parameter of {@link #checkpointLayout} into {@code sink}, one at a time (the engine brings each in and
     * lets it go): a checkpoint never needs the model whole in memory. Call it after {@link #flush()}.
     *
     * @throws IllegalStateException when an update is pending
     */
    void writeParameters(StagedModel model, SafetensorsWriter.TensorSink sink);

    @Override
    void close();
}
