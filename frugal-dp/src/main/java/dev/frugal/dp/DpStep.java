package dev.frugal.dp;

import dev.frugal.model.LayerOps;
import dev.frugal.tensor.GradHook;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One DP step: the {@link LayerOps} a model's forward runs with, and the backward that turns the per-sample losses
 * into clipped gradient sums.
 *
 * <p>Forward: every supported layer computes its output with its trainable weights <em>detached</em>, so libtorch
 * never computes the ordinary (unclipped) weight gradient; it keeps the layer input and registers a {@link GradHook} on
 * the output. Backward: when a layer's output gradient {@code g (B, T, out)} is complete, its hook forms the layer's
 * per-sample gradients in factored form ({@link PerSampleFactor}), takes their norms (ghost-norm identity or explicit,
 * whichever is cheaper), clips each sample to {@code C_l} and adds {@code Σ_i c_i g_i} to the parameter's sum, then
 * frees its temporaries — one layer at a time, so the extra memory does not grow with depth (FlashDP, arXiv
 * 2507.01154, §4). A layer whose input does not require grad (the first layer) gets a zero "probe" added to its
 * output, so that its output gradient still flows.
 *
 * <p>Close the step after its backward: that releases the hooks.
 */
public final class DpStep implements LayerOps, AutoCloseable {
    private enum Phase { FORWARD, ONE_PASS, NORMS, SUMS, MATERIALISE, DONE }

    private final DpEngine engine;
    private final long batch;
    private final LinkedHashMap<String, ParamSlot> slots = new LinkedHashMap<>();
    private final List<GradHook> hooks = new ArrayList<>();
    private final Map<ParamSlot, Tensor> clipFactors = new LinkedHashMap<>(); // two-pass and explicit: (B) per slot
    private final boolean ghostOnly;
    private Tensor probe; // (1), leaf, requires grad
    private Phase phase = Phase.FORWARD;
    private final Map<String, Long> hookNanos = new LinkedHashMap<>(); // module → time in its hooks, all passes

    DpStep(DpEngine engine, long batch) {
        this.engine = engine;
        this.batch = batch;
        this.ghostOnly = engine.config().algorithm() == ClippingAlgorithm.GHOST;
        engine.trainable().forEach((n, t) -> slots.put(n, new ParamSlot(n, t.shape(), engine.bound(n))));
    }

    /**
     * Wall time spent in each layer's gradient hooks so far, nanoseconds by module name (every pass; a tied
     * parameter's clipping runs in the hook of its last use). A profiling aid.
     */
    public Map<String, Long> hookNanos() { return java.util.Collections.unmodifiableMap(hookNanos); }

    /** Examples in this step's batch. */
    public long batch() { return batch; }

    // ---------------------------------------------------------------- the hooked layers

    @Override
    public Tensor linear(String module, Tensor x, Tensor w, Tensor b) {
        ParamSlot ws = slot(w), bs = slot(b);
        if (ws == null && bs == null) return NN.linear(x, w, b);
        Tensor xin = x.detach();
        Tensor out = NN.linear(x, w.detach(), b == null ? null : b.detach()); // (…, out)
        return hooked(out, ws, bs, module, g -> {
            Tensor g3 = perExample(g), x3 = perExample(xin); // (B, T, out), (B, T, in)
            if (ws != null) arrive(ws, new PerSampleFactor.Outer(g3, x3));
            if (bs != null) arrive(bs, new PerSampleFactor.Explicit(g3.sum(1, false)));
        });
    }

    @Override
    public Tensor conv1d(String module, Tensor x, Tensor w, Tensor b) {
        ParamSlot ws = slot(w), bs = slot(b);
        if (ws == null && bs == null) return LayerOps.super.conv1d(module, x, w, b);
        Tensor xin = x.detach();
        Tensor out = NN.linear(x, w.detach().t(), b == null ? null : b.detach()); // w (in, out)
        return hooked(out, ws, bs, module, g -> {
            Tensor g3 = perExample(g), x3 = perExample(xin);
            if (ws != null) arrive(ws, new PerSampleFactor.Outer(x3, g3)); // Σ_t x_t g_tᵀ: (in, out) like w
            if (bs != null) arrive(bs, new PerSampleFactor.Explicit(g3.sum(1, false)));
        });
    }

    @Override
    public Tensor embedding(String module, Tensor table, Tensor ids) {
        ParamSlot ts = slot(table);
        if (ts == null) return NN.embedding(table, ids);
        Tensor out = NN.embedding(table.detach(), ids); // (…, C)
        long rows = table.size(0);
        return hooked(out, ts, null, module, g -> arrive(ts, new PerSampleFactor.Rows(ids.reshape(batch, -1), rows, perExample(g))));
    }

    /**
     * The output is libtorch's fused layer norm with the weights detached, as in non-private training; the normalised
     * input that the weight's per-sample gradient needs is recomputed from the layer input in the hook (a pass over
     * one layer's activations) instead of being held from the forward to the backward.
     */
    @Override
    public Tensor layerNorm(String module, Tensor x, Tensor w, Tensor b, double eps) {
        ParamSlot ws = slot(w), bs = slot(b);
        if (ws == null && bs == null) return NN.layerNorm(x, w, b, eps);
        Tensor out = NN.layerNorm(x, w == null ? null : w.detach(), b == null ? null : b.detach(), eps); // (…, C)
        Tensor xin = x.detach();
        return hooked(out, ws, bs, module, g -> {
            Tensor g3 = perExample(g);
            if (ws != null) arrive(ws, new PerSampleFactor.Explicit(
                    g3.mul(perExample(NN.layerNorm(xin, null, null, eps))).sum(1, false)));
            if (bs != null) arrive(bs, new PerSampleFactor.Explicit(g3.sum(1, false)));
        });
    }

    /** As {@link #layerNorm}: the normalised input is recomputed in the hook. */
    @Override
    public Tensor rmsNorm(String module, Tensor x, Tensor w, double eps) {
        ParamSlot ws = slot(w);
        if (ws == null) return NN.rmsNorm(x, w, eps);
        Tensor out = NN.rmsNorm(x, w.detach(), eps);
        Tensor xin = x.detach();
        return hooked(out, ws, null, module, g -> arrive(ws, new PerSampleFactor.Explicit(
                perExample(g).mul(perExample(NN.rmsNorm(xin, null, eps))).sum(1, false))));
    }

    private ParamSlot slot(Tensor t) {
        String n = engine.nameOf(t);
        return n == null ? null : slots.get(n);
    }

    /** {@code (B, …, C)} → {@code (B, T, C)} with T the product of the middle dimensions (1 for a 2-D tensor). */
    private Tensor perExample(Tensor t) {
        if (t.size(0) != batch) throw new IllegalStateException("a layer saw " + t.size(0) + " rows where the step's"
                + " batch has " + batch + ": per-sample clipping needs the batch dimension first and unmixed");
        return t.reshape(batch, -1, t.size(-1));
    }

    private Tensor hooked(Tensor out, ParamSlot a, ParamSlot b, String module, Consumer<Tensor> onGradient) {
        if (phase != Phase.FORWARD) throw new IllegalStateException("forward through a DP step after its backward:"
                + " begin a new step");
        if (a != null) a.expectedUses++;
        if (b != null) b.expectedUses++;
        if (!out.requiresGrad()) out = out.add(probe());
        hooks.add(GradHook.register(out, g -> {
            long t0 = System.nanoTime();
            onGradient.accept(g);
            hookNanos.merge(module, System.nanoTime() - t0, Long::sum);
        }));
        return out;
    }

    private Tensor probe() {
        if (probe == null) probe = Tensors.zeros(1).requiresGrad(true).keep();
        return probe;
    }

    // ---------------------------------------------------------------- backward

    private void arrive(ParamSlot s, PerSampleFactor f) {
        s.arrivedUses++;
        f.keep();
        s.pending.add(f);
        if (s.arrivedUses == s.expectedUses) complete(s);
    }

    /** Everything this phase does with a parameter once all its uses' factors are in. */
    private void complete(ParamSlot s) {
        if (s.pending.isEmpty()) return;
        switch (phase) {
            case ONE_PASS -> {
                if (s.pending.size() == 1 && s.pending.get(0) instanceof PerSampleFactor.Outer o
                        && o.explicitSumIsCheaper()) {
                    PerSampleFactor.NormsAndSum r = o.clipExplicitly(s.bound);
                    s.normSquared = r.normSquared().keep();
                    s.clippedSum = r.sum().reshape(s.shape).keep();
                } else {
                    Tensor n2 = normSquared(s.pending);
                    s.normSquared = n2.keep();
                    s.clippedSum = sum(s, clipFactor(s.bound, n2)).keep();
                }
            }
            case NORMS -> s.normSquared = normSquared(s.pending).keep();
            case SUMS -> s.clippedSum = sum(s, clipFactors.get(s)).keep();
            case MATERIALISE -> {
                Tensor ps = null;
                for (PerSampleFactor f : s.pending) ps = ps == null ? f.explicit() : ps.add(f.explicit());
                s.perSample = ps.reshape(prepend(batch, s.shape)).keep();
            }
            case FORWARD, DONE -> throw new IllegalStateException("gradient hook fired outside a DP backward");
        }
        s.drainPending();
    }

    /** {@code ‖Σ_k g_k‖² = Σ_k ‖g_k‖² + 2 Σ_{k<l} ⟨g_k, g_l⟩} per sample, over the uses of one parameter. */
    private Tensor normSquared(List<PerSampleFactor> uses) {
        Tensor n2 = null;
        for (int k = 0; k < uses.size(); k++) {
            Tensor self = PerSampleFactor.normSquared(uses.get(k), ghostOnly);
            n2 = n2 == null ? self : n2.add(self);
            for (int l = k + 1; l < uses.size(); l++) n2 = n2.add(PerSampleFactor.inner(uses.get(k), uses.get(l)), 2.0);
        }
        return n2;
    }

    /**
     * {@code Σ_uses Σ_i c_i g_i} of one parameter, accumulated in place in the first use's sum: a tied table's
     * embedding rows are index-added straight into the LM head's {@code (V, d)} sum, so no second or third table-sized
     * temporary exists (at GPT-2-small's vocabulary, 154 MB each).
     */
    private Tensor sum(ParamSlot s, Tensor c) {
        Tensor total = null;
        for (PerSampleFactor f : s.pending) {
            if (total == null) total = f.clippedSum(c).reshape(s.shape);
            else if (f instanceof PerSampleFactor.Rows r) r.addClippedSumTo(total, c); // a table: (rows, Q)
            else total.addInPlace(f.clippedSum(c).reshape(s.shape));
        }
        return total;
    }

    private static Tensor clipFactor(double bound, Tensor normSquared) {
        return PerSampleFactor.clipFactor(bound, normSquared);
    }

    /**
     * Runs the backward of {@code Σ_i loss_i} and returns the clipped sums. The losses must be independent per
     * example (no batch statistics), and each example's loss must depend on that example only.
     *
     * @param perSampleLoss {@code (B)} one loss per example
     * @throws UnclippableLayersException when a trainable parameter was not used through a supported layer
     */
    public ClippedGradients backward(Tensor perSampleLoss) {
        if (phase != Phase.FORWARD) throw new PrivacyGuaranteeException("this DP step already ran its backward: clipped"
                + " gradients are computed once per step; begin a new step");
        if (perSampleLoss.dim() != 1 || perSampleLoss.size(0) != batch)
            throw new IllegalArgumentException("per-sample losses must be (B) = (" + batch + "), got " + perSampleLoss);
        List<String> unclippable = new ArrayList<>();
        slots.forEach((n, s) -> { if (s.expectedUses == 0) unclippable.add(n); });
        if (!unclippable.isEmpty()) throw new UnclippableLayersException(unclippable);
        if (!perSampleLoss.requiresGrad()) throw new IllegalStateException("the loss does not depend on any hooked"
                + " layer: run the model's forward with this step as its LayerOps");
        Tensor total = perSampleLoss.sum();
        ClipMode mode = engine.config().mode();
        switch (engine.config().algorithm()) {
            case FLASH -> {
                if (mode == ClipMode.PER_LAYER) pass(Phase.ONE_PASS, total, false);
                else twoPasses(total);
            }
            case GHOST -> twoPasses(total);
            case EXPLICIT -> {
                pass(Phase.MATERIALISE, total, false);
                for (ParamSlot s : slots.values())
                    if (s.perSample != null) s.normSquared = PerSampleFactor.flatSquares(s.perSample).keep();
                computeFactors(mode);
                for (ParamSlot s : slots.values())
                    if (s.perSample != null) s.clippedSum = new PerSampleFactor.Explicit(s.perSample)
                            .clippedSum(clipFactors.get(s)).keep();
            }
        }
        phase = Phase.DONE;
        return collect();
    }

    private void twoPasses(Tensor total) {
        pass(Phase.NORMS, total, true);
        computeFactors(engine.config().mode());
        pass(Phase.SUMS, total, false);
    }

    private void pass(Phase p, Tensor total, boolean retainGraph) {
        phase = p;
        for (ParamSlot s : slots.values()) s.arrivedUses = 0;
        if (retainGraph) total.backwardRetainGraph();
        else total.backward();
        for (ParamSlot s : slots.values()) complete(s); // uses whose outputs the loss never reached contribute 0
    }

    private void computeFactors(ClipMode mode) {
        if (mode == ClipMode.PER_LAYER) {
            for (ParamSlot s : slots.values())
                if (s.normSquared != null) clipFactors.put(s, clipFactor(s.bound, s.normSquared));
            return;
        }
        Tensor total = Tensors.zeros(batch);
        for (ParamSlot s : slots.values()) if (s.normSquared != null) total = total.add(s.normSquared);
        Tensor c = clipFactor(engine.config().clip(), total);
        for (ParamSlot s : slots.values()) clipFactors.put(s, c);
    }

    private ClippedGradients collect() {
        LinkedHashMap<String, Tensor> sums = new LinkedHashMap<>(), norms = new LinkedHashMap<>();
        for (ParamSlot s : slots.values()) {
            Tensor param = engine.trainable().get(s.name);
            sums.put(s.name, s.clippedSum != null ? s.clippedSum
                    : Tensors.zeros(param.dtype(), param.device(), s.shape).keep());
            norms.put(s.name, s.normSquared != null ? s.normSquared : Tensors.zeros(batch).keep());
            s.clippedSum = s.normSquared = null; // ownership moves to the result
        }
        return new ClippedGradients(sums, norms, batch, engine.sensitivity());
    }

    private static long[] prepend(long b, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = b;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** Releases the hooks and every temporary; call after {@link #backward}. */
    @Override
    public void close() {
        for (GradHook h : hooks) h.close();
        hooks.clear();
        for (ParamSlot s : slots.values()) s.close();
        if (probe != null && !probe.isFreed()) probe.close();
        phase = Phase.DONE;
    }
}
