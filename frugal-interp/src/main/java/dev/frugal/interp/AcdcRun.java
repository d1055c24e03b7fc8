package dev.frugal.interp;

import dev.frugal.model.CausalLM;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Everything one ACDC run needs, built once per (model, batch, precision): the patched forward, the clean and
 * corrupted caches and the metric. Several thresholds and settings can run against it. Under a low precision (PAHQ)
 * the model's float32 matrices are dropped once the caches are made, and read back from the checkpoint the model was
 * loaded from (its config's directory) only for the component under investigation; {@link #close()} gives the model
 * its float32 weights back. While a PAHQ run is open, the model runs nowhere else (other runs over it refuse).
 */
public final class AcdcRun implements AutoCloseable {
    /** Which metric ACDC follows. */
    public enum MetricKind { KL, LOSS }

    private final PatchedForward forward;
    private final TaskBatch batch;
    private final ActivationCache clean;
    private final ActivationCache corrupted;
    private final Metric metric;
    private final AcdcSettings.Ablation ablation;
    private final GradMode noGrad;

    public AcdcRun(CausalLM model, TaskBatch batch, MetricKind kind, Precision precision, AcdcSettings.Ablation ablation) {
        this(new PatchedForward(model, precision), batch, kind, ablation); // refuses first, before grad mode changes
    }

    /**
     * PAHQ (a low {@code precision}) over a model loaded without its blocks ({@link
     * dev.frugal.model.Models#loadCausalLMStreaming}): the float32 model is never resident as a whole. The caches read
     * each block from the checkpoint while it runs; the output, the sweep's first receiver, is investigated with the
     * loaded float32 LM head and no block at all; the low-precision copies are made after it, when the sweep first
     * runs a block, and the embedding tables and LM head dropped then. Same circuit and scores, to the bit, as the
     * model loaded whole. The caller keeps owning {@code model}; {@link #close()} leaves it as it was loaded.
     *
     * @throws IllegalArgumentException under {@link Precision#FP32}, which needs the whole model
     */
    public AcdcRun(dev.frugal.model.Models.Streamed model, TaskBatch batch, MetricKind kind, Precision precision,
                   AcdcSettings.Ablation ablation) {
        this(PatchedForward.streamed(model, precision), batch, kind, ablation);
    }

    private AcdcRun(PatchedForward forward, TaskBatch batch, MetricKind kind, AcdcSettings.Ablation ablation) {
        this.forward = forward;
        this.noGrad = GradMode.off();
        this.batch = batch;
        this.ablation = ablation;
        Precision precision = forward.precision();
        CausalLM model = forward.model();
        java.nio.file.Path dir = model.config().source().file().toAbsolutePath().getParent();
        boolean streamed = forward.copiesPending(); // its copies come after the output's investigation
        ActivationCache cl = null, co = null;
        Metric me = null;
        try (Scope s = Scope.open()) {
            // PAHQ: the blocks go to low precision first, and the caches read each block's float32 matrices back
            // from the checkpoint while it runs, so the whole float32 model never sits beside the caches
            if (precision != Precision.FP32 && !streamed) forward.lowPrecisionBlocks(dir, batch.clean());
            cl = forward.cache(batch.clean());
            co = ablation == AcdcSettings.Ablation.ZERO ? null : forward.cache(batch.corrupted());
            me = switch (kind) {
                case KL -> Metric.KlToClean.of(cl.logits(), batch.positions());
                case LOSS -> Metric.TaskLoss.of(batch.targets(), batch.positions());
            };
            // from here on the model's matrices live in low precision only
            if (precision != Precision.FP32 && !streamed) forward.keepLowPrecisionOnly(dir, batch.clean(), cl);
        } catch (RuntimeException e) {
            if (me != null) me.close();
            if (co != null) co.close();
            if (cl != null) cl.close();
            forward.close();
            noGrad.close();
            throw e;
        }
        this.clean = cl;
        this.corrupted = co;
        this.metric = me;
    }

    public CircuitGraph graph() { return forward.graph(); }

    /** The ACDC sweep at {@code s} (its precision and ablation must match this run's). */
    public Circuit run(AcdcSettings s, IntConsumer onEdges) {
        if (s.ablation() != ablation) throw new IllegalArgumentException("this run was set up for " + ablation + " ablation");
        return new Acdc(forward, batch.clean(), clean, corrupted, metric).run(s, onEdges);
    }

    /** The metric with {@code removed} edges patched, computed from the embeddings in this run's precision. */
    public double metricOf(Set<Edge> removed) {
        return new Acdc(forward, batch.clean(), clean, corrupted, metric).evaluate(List.of(Set.copyOf(removed)), 0)[0];
    }

    /** Clean logits {@code (B, T, V)}. */
    public Tensor cleanLogits() { return clean.logits(); }

    @Override
    public void close() {
        metric.close();
        clean.close();
        if (corrupted != null) corrupted.close();
        forward.close();
        noGrad.close();
    }
}
