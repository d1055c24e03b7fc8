package dev.frugal.dp;

import dev.frugal.model.LayerOps;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.Objects;

/**
 * The DP-SGD loop's step: sample a batch, run the forward through a {@link DpStep}, clip in the backward, add noise,
 * update, account. An empty Poisson batch still takes a noisy step (the accountant counts it).
 */
public final class DpTrainer {
    /** A task: per-example losses {@code (B)} of the examples at {@code indices}, with the forward run through {@code ops}. */
    @FunctionalInterface
    public interface Task {
        Tensor perSampleLoss(long[] indices, LayerOps ops);
    }

    /** What one step did: examples drawn and their mean loss (NaN for an empty batch). */
    public record StepResult(long batchSize, double meanLoss) {}

    private final DpEngine engine;
    private final DpSgd optimizer;
    private final BatchSampler sampler;
    private final Task task;

    public DpTrainer(DpEngine engine, DpSgd optimizer, BatchSampler sampler, Task task) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.task = Objects.requireNonNull(task, "task");
    }

    public DpSgd optimizer() { return optimizer; }

    public BatchSampler sampler() { return sampler; }

    /** One DP-SGD step. */
    public StepResult step() {
        long[] idx = sampler.next();
        try (Scope s = Scope.open()) {
            if (idx.length == 0) {
                optimizer.step(engine.emptyBatch());
                return new StepResult(0, Double.NaN);
            }
            ClippedGradients g;
            double loss;
            try (DpStep step = engine.begin(idx.length)) {
                Tensor losses = task.perSampleLoss(idx, step);
                loss = losses.detach().mean().itemDouble();
                g = step.backward(losses);
            }
            optimizer.step(g);
            return new StepResult(idx.length, loss);
        }
    }
}
