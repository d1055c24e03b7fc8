package dev.frugal.interp;

import dev.frugal.InvalidSettingException;
import dev.frugal.UserInputException;
import dev.frugal.model.AttentionParts;
import dev.frugal.model.CausalLM;
import dev.frugal.model.DecoderConfig;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.LayerOps;
import dev.frugal.model.MlpParts;
import dev.frugal.model.Models;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The forward pass of a core decoder ({@link CausalLM}: GPT-2, pre-LN OPT, Llama, Qwen3) decomposed along ACDC's
 * graph, run for K circuit configurations at once (stacked along the batch: N = K·B rows). The model runs its own
 * blocks; this class is the {@link LayerOps} hook they call: per-head query/key/value inputs
 * ({@link LayerOps#attention}), MLP input and output ({@link LayerOps#mlp}) and the final residual
 * ({@link LayerOps#residual}). In configuration k, a receiver r whose incoming edges R_k(r) are removed reads
 *
 * <pre>  input_r = resid + Σ_{s ∈ R_k(r)} (corrupted_s − current_s)</pre>
 *
 * where {@code resid} is the residual stream of that configuration's own run and {@code current_s} the sender's
 * output in it: every receiver sees each sender either as it is now or as it was on the corrupted input (or zero),
 * exactly as ACDC's receiver hooks assemble it. The corrections of all receivers of a layer come from one batched
 * matrix product {@code mask (K, R, S) @ (corrupted − current) (K, S, B·T·C)}.
 *
 * <p>Under a low {@link Precision} (PAHQ) the component under investigation runs in float32 from the model's float32
 * weights, and every other projection from a low-precision copy of its weight (made once per module): {@link
 * Arrangement} names which. Until {@link #keepLowPrecisionOnly}, every component whose input is patched in a batch
 * also runs in float32. After it, the model's float32 matrices are gone: the investigated component's block reads them
 * back from the checkpoint while it is investigated, and every other block computes its per-head pieces from
 * dequantized low-precision copies ({@link LowPrecisionStore}).
 */
public final class PatchedForward implements AutoCloseable {
    private final CausalLM model;
    private final CircuitGraph graph;
    private final Precision precision;
    private final int numLayers;
    private final Map<String, Projection> lowCopies = new HashMap<>(); // module → its low-precision weights
    private LowPrecisionStore store; // PAHQ's storage, once the model's float32 matrices are dropped
    // PAHQ over a model loaded without its blocks: the low-precision copies are made by the first forward that runs a
    // block after the caches (the output's investigation needs none: it runs no block)
    private boolean copiesPending;

    /**
     * @throws UserInputException for a post-LN OPT ({@code do_layer_norm_before: false}): its blocks normalise the sum
     *                            of the sublayer outputs, so the residual stream is not the sum of the senders' outputs
     *                            that ACDC's edges decompose
     * @throws InvalidSettingException for int8 (PAHQ) on a GPU: fbgemm's int8 kernels are CPU-only
     */
    public PatchedForward(CausalLM model, Precision precision) {
        refusal(model.config()).ifPresent(why -> {
            throw new UserInputException("model " + model.config().source().file() + " " + why);
        });
        if (precision == Precision.INT8 && model.device().isCuda())
            throw new InvalidSettingException("precision", "int8 (PAHQ) runs on the CPU only (fbgemm's int8 kernels);"
                    + " on " + model.device() + " use fp32 or bf16");
        this.model = model;
        this.graph = CircuitGraph.of(model.config());
        this.precision = precision;
        this.numLayers = model.config().numLayers();
    }

    /**
     * PAHQ over a model loaded without its blocks ({@link Models#loadCausalLMStreaming}), so that the float32 model is
     * never resident as a whole: its blocks' matrices are read from its checkpoint only while a block runs in float32
     * (the caches' forwards, the investigated block). The low-precision copies are made, and the embedding tables and
     * LM head dropped ({@link #keepLowPrecisionOnly}), by the first forward after the caches that runs a block; until
     * then a forward that runs no block (the output investigated, the only receiver after the last block) uses the
     * model's own float32 LM head. The numbers are those of the same model loaded whole: the same matrices, read from
     * the same file, in the same products. {@link #close()} leaves the model as it was loaded (blocks still in the
     * checkpoint). The caller keeps owning and closing {@code s}.
     *
     * @throws IllegalArgumentException under {@link Precision#FP32}, which computes with every float32 block
     */
    public static PatchedForward streamed(Models.Streamed s, Precision precision) {
        if (precision == Precision.FP32) throw new IllegalArgumentException("float32 ACDC computes with every float32"
                + " block: load the whole model (Models.loadCausalLM)");
        PatchedForward f = new PatchedForward(s.model(), precision);
        Path dir = s.model().config().source().file().toAbsolutePath().getParent();
        f.store = LowPrecisionStore.streamed(s, precision, dir);
        f.store.hold();
        f.copiesPending = true;
        return f;
    }

    /**
     * Why circuit discovery cannot decompose a model of {@code cfg}, or empty when it can: a post-LN OPT
     * ({@code do_layer_norm_before: false}) normalises {@code h + attn(h)} inside each block, so its residual stream
     * is not the sum of the senders' outputs that ACDC's edges decompose.
     */
    public static Optional<String> refusal(DecoderConfig cfg) {
        if (cfg instanceof OptConfig o && !o.doLayerNormBefore())
            return Optional.of("is a post-LN OPT (do_layer_norm_before: false): circuit discovery needs a pre-LN"
                    + " residual stream (GPT-2, pre-LN OPT, Llama, Qwen3)");
        return Optional.empty();
    }

    public CircuitGraph graph() { return graph; }

    public CausalLM model() { return model; }

    public Precision precision() { return precision; }

    /**
     * The clean (unpatched, float32) run of {@code ids (B, T)} with every activation kept. After {@link
     * #lowPrecisionBlocks} it reads each block's float32 matrices back from the checkpoint while that block runs.
     *
     * @throws IllegalStateException after {@link #keepLowPrecisionOnly}, when the embedding tables are gone too
     */
    public ActivationCache cache(Tensor ids) {
        if (store != null && store.finished()) throw new IllegalStateException("caches are made before the model's"
                + " embedding tables are dropped (keepLowPrecisionOnly)");
        Run r = new Run(List.of(Set.of()), 0, null, null, null, null, null, ids.size(0), true);
        r.cache = new ActivationCache(numLayers);
        Tensor logits = r.forward(ids);
        r.cache.finish(logits);
        if (store != null) store.releaseFullBlock(); // the last block read back: not needed until investigated
        return r.cache;
    }

    /**
     * PAHQ's storage: makes every low-precision copy (one forward of {@code ids (B, T)} over the clean cache, unless
     * {@link #lowPrecisionBlocks} made them) and drops the model's float32 matrices, each block's as soon as its copies
     * exist, the embedding tables and LM head at the end, so that the float32 model and its low-precision copies are
     * never held together. From then on a forward reads float32 only for the block of the component under
     * investigation (from the checkpoint in {@code checkpointDir}, which must hold exactly the model's weights), and
     * {@link #close()} puts the model's float32 weights back. Make the caches first.
     *
     * @throws IllegalStateException                      under {@link Precision#FP32}
     * @throws dev.frugal.model.CheckpointMismatchException when the checkpoint does not hold the model's weights
     */
    public void keepLowPrecisionOnly(Path checkpointDir, Tensor ids, ActivationCache clean) {
        lowPrecisionBlocks(checkpointDir, ids, clean);
        store.finish();
    }

    /**
     * The first half of {@link #keepLowPrecisionOnly}: makes every low-precision copy (one forward of {@code ids (B,
     * T)}) and drops the blocks' float32 matrices, each block's as soon as its copies exist; the embedding tables and
     * the LM head stay. {@link #cache} then reads each block back from the checkpoint while it runs, so that the caches
     * are made without the whole float32 model in memory; {@link #keepLowPrecisionOnly} finishes.
     *
     * @throws IllegalStateException                      under {@link Precision#FP32}
     * @throws dev.frugal.model.CheckpointMismatchException when the checkpoint does not hold the model's weights
     */
    public void lowPrecisionBlocks(Path checkpointDir, Tensor ids) { lowPrecisionBlocks(checkpointDir, ids, null); }

    private void lowPrecisionBlocks(Path checkpointDir, Tensor ids, ActivationCache clean) {
        if (precision == Precision.FP32) throw new IllegalStateException("float32 ACDC keeps its float32 weights");
        if (store != null && !copiesPending) return;
        boolean fresh = store == null;
        LowPrecisionStore s = fresh ? new LowPrecisionStore(model, precision, checkpointDir) : store; // checks first
        copiesPending = false; // the copies' forward below must not start another
        try (Scope sc = Scope.open()) {
            // the loaded blocks go at once; the copies' forward reads each back from the checkpoint while it runs, so
            // the float32 blocks are never held beside their copies (the set-up's peak: 638-641 MB at GPT-2-small
            // shapes when the whole float32 model was still there)
            if (fresh) s.releaseBlocks();
            else { // streamed: the LM head's copy from the loaded head, then every loaded float32 matrix goes, so that
                // the blocks' copies are made beside low-precision matrices only (the copies' forward starts from the
                // clean cache's embedding)
                Run head = new Run(List.of(Set.of()), numLayers, null, null, null, clean, null, ids.size(0), false);
                try (Scope h = Scope.open()) {
                    head.headPositions = Tensors.zeros(dev.frugal.tensor.DType.I64, ids.device(), 1); // one position
                    head.forward(ids);
                }
                s.dropOutsideBlocks();
            }
            Run r = new Run(List.of(Set.of()), 0, null, null, null, clean, null, ids.size(0), false);
            r.beforeBlock = l -> s.enter(l, true);
            r.afterBlock = s::drop; // a block's float32 matrices go once its low-precision products exist
            r.forward(ids);
            s.hold();
        } catch (RuntimeException e) {
            if (fresh) s.close();
            else copiesPending = true;
            throw e;
        }
        store = s;
    }

    /** Whether this forward waits for its first block-running forward to make its low-precision copies ({@link #streamed}). */
    public boolean copiesPending() { return copiesPending; }

    /** Whether the model's float32 matrices are dropped ({@link #keepLowPrecisionOnly}). */
    public boolean lowPrecisionOnly() { return store != null; }

    /** The matrix (the LM head) whose float32 copy PAHQ's storage holds while the output is investigated, or null. */
    String residentFullMatrix() { return store == null ? null : store.residentFullMatrix(); }

    /**
     * Logits {@code (K·B, T, V)} of K configurations, each a set of removed edges; rows {@code k·B .. k·B+B-1} belong
     * to configuration k.
     *
     * @param ids        the clean input {@code (B, T)}
     * @param startLayer the first block to compute; blocks before it are taken from {@code clean}, which is exact
     *                   when no removed edge enters a receiver before it (0: recompute everything)
     * @param clean      the clean run's cache
     * @param corrupted  the corrupted run's cache, or null for zero ablation
     */
    public Tensor logits(Tensor ids, List<Set<Edge>> configs, int startLayer, ActivationCache clean,
                         ActivationCache corrupted) {
        return logits(ids, configs, startLayer, null, clean, corrupted);
    }

    /**
     * As {@link #logits(Tensor, List, int, ActivationCache, ActivationCache)}, where the configurations differ only in
     * edges into one receiver, {@code varying}, of block {@code startLayer} (or null: no such promise). Then everything
     * of that block except the receiver's own component is the same in every configuration: it is computed once on
     * B rows, and only the investigated head (or MLP) and the blocks after it run on all K·B rows. Exact up to float
     * rounding: the same sums, grouped differently.
     */
    public Tensor logits(Tensor ids, List<Set<Edge>> configs, int startLayer, Node varying, ActivationCache clean,
                         ActivationCache corrupted) {
        return logits(ids, configs, startLayer, varying, varying, null, clean, corrupted);
    }

    /**
     * As {@link #logits(Tensor, List, int, Node, ActivationCache, ActivationCache)}, naming the receiver under
     * investigation, whose component alone runs in float32 once only low-precision weights are kept (null: none), and
     * the positions {@code (P)} int64 at which the LM head runs (null: every position; else the logits are
     * {@code (K·B, P, V)}).
     */
    public Tensor logits(Tensor ids, List<Set<Edge>> configs, int startLayer, Node varying, Node investigated,
                         Tensor positions, ActivationCache clean, ActivationCache corrupted) {
        Run run = run(ids, configs, startLayer, varying, investigated, clean, corrupted);
        run.headPositions = positions;
        return run.forward(ids);
    }

    /** The most logits elements one chunk of configurations of {@link #metric} makes at once (tests lower it). */
    long metricChunkElements = 4L << 20;

    /** The most elements of the float32 LM head one chunk of its product uses (tests lower it). */
    long headChunkElements = LowPrecisionStore.CHUNK_ELEMENTS;

    /**
     * {@code metric} of each configuration: the forward of {@link #logits(Tensor, List, int, Node, Node, Tensor,
     * ActivationCache, ActivationCache)} with the LM head at the metric's positions only, run and measured a few
     * configurations at a time, so that the logits of all K configurations (K·B·P × V) never exist at once.
     */
    public double[] metric(Tensor ids, List<Set<Edge>> configs, int startLayer, Node varying, Node investigated,
                           Metric metric, ActivationCache clean, ActivationCache corrupted) {
        Run run = run(ids, configs, startLayer, varying, investigated, clean, corrupted);
        run.headPositions = metric.positions();
        run.metric = metric;
        run.forward(ids);
        return run.metricValues;
    }

    private Run run(Tensor ids, List<Set<Edge>> configs, int startLayer, Node varying, Node investigated,
                    ActivationCache clean, ActivationCache corrupted) {
        for (Set<Edge> cfgEdges : configs)
            for (Edge e : cfgEdges) if (e.receiver().layer() < startLayer) throw new IllegalArgumentException("edge " + e
                    + " enters block " + e.receiver().layer() + ", before the start block " + startLayer);
        if ((startLayer > 0 || store != null) && clean == null) throw new IllegalArgumentException("starting at block "
                + startLayer + (store != null ? " with only low-precision weights" : "") + " needs the clean cache");
        Set<Edge> common = null;
        if (varying != null && varying.layer() == startLayer && startLayer < numLayers) {
            common = new HashSet<>(configs.get(0));
            for (Set<Edge> x : configs) common.retainAll(x);
            for (Set<Edge> x : configs)
                for (Edge e : x)
                    if (!common.contains(e) && !e.receiver().equals(varying)) throw new IllegalArgumentException("edge " + e
                            + " is not in every configuration but does not enter the varying receiver " + varying);
        }
        return new Run(configs, startLayer, varying, investigated, common, clean, corrupted, ids.size(0), false);
    }

    /** One block's attention output {@code (N, T, C)} and each head's output (N, T, C) where asked for. */
    private record Attn(Tensor out, Tensor[] outs) {}

    /**
     * One forward: the {@link LayerOps} the model's blocks call. {@code low} is the precision of the components not
     * under investigation; {@code lowActive} switches the model's projections to their low-precision copies while a
     * non-investigated component runs.
     */
    private final class Run implements LayerOps {
        private final List<Set<Edge>> configs;
        private final int start;
        private final Node varying;
        private final int fullBlock; // the block of the investigated component (-1: none, or the output)
        private final boolean headFull; // the output is investigated: the LM head in float32
        private final int mlpInvestigated; // the layer of the investigated MLP, or -1
        private final Set<Edge> common;
        private final ActivationCache clean, corrupted;
        private final int k;
        private final long b;
        private final boolean record;
        private final boolean low;
        private Corrections corr;
        private ActivationCache cache;
        private Tensor headPositions; // the positions the LM head runs at, or null for all
        private Metric metric; // measured here, a few configurations at a time, instead of returning the logits
        private double[] metricValues;
        private int headFrom, headCount = -1; // the configurations the LM head is computing (-1: all)
        private boolean lowActive;
        private Metric.Accumulator streamTo; // where the LM head's product goes, chunk by chunk (see measureStreamed)
        private java.util.function.IntConsumer beforeBlock; // told before each block runs (lowPrecisionBlocks)
        private java.util.function.IntConsumer afterBlock; // told when each block has run (keepLowPrecisionOnly)

        Run(List<Set<Edge>> configs, int start, Node varying, Node investigated, Set<Edge> common, ActivationCache clean,
            ActivationCache corrupted, long b, boolean record) {
            this.configs = configs;
            this.start = start;
            this.varying = varying;
            this.headFull = investigated != null && investigated.kind() == Node.Kind.OUTPUT;
            this.fullBlock = investigated == null || headFull ? -1 : investigated.layer();
            this.mlpInvestigated = investigated != null && investigated.kind() == Node.Kind.MLP ? investigated.layer() : -1;
            this.common = common;
            this.clean = clean;
            this.corrupted = corrupted;
            this.k = configs.size();
            this.b = b;
            this.record = record;
            this.low = precision != Precision.FP32 && !record; // the cache is always float32
        }

        Tensor forward(Tensor ids) {
            LowPrecisionStore.requireNotHeld(model, store);
            // a streamed PAHQ set-up: the first forward after the caches that runs a block makes the copies first
            if (copiesPending && !record && beforeBlock == null && start < numLayers) keepLowPrecisionOnly(null, ids, clean);
            if (store != null && !headFull) store.releaseFullMatrix(); // the output's investigation is over
            long t = ids.size(1), n = k * b;
            corr = new Corrections(configs, clean, corrupted, k, b, t, model.config().hiddenSize());
            ForwardContext ctx = new ForwardContext(n, t, null, null, this, true, model.device());
            Tensor resid; // (N, T, C)
            if (start == 0 && (record || clean == null)) {
                Tensor emb = model.embed(ids, model.context(ids, null, null, this)); // (B, T, C)
                if (record) cache.embed(emb);
                resid = repeat(emb, k);
            } else { // the embedding is the same in every configuration: the clean run's
                resid = repeat(clean.residPre(start), k);
            }
            // each block in its own scope, so that its temporaries (corrections, per-head inputs, views of weights) go
            // when it ends: only its output and the sender values later receivers read are kept
            Tensor kept = null;
            try {
                for (int l = start; l < numLayers; l++) {
                    try (Scope block = Scope.open()) {
                        if (beforeBlock != null) beforeBlock.accept(l);
                        // (the copies' forward reads its blocks itself: beforeBlock)
                        boolean stored = store != null && beforeBlock == null;
                        // recording: all float32; an investigated head's block: its attention only (the block's
                        // MLP runs in low precision unless it is the one investigated)
                        if (stored) store.enter(l, l == fullBlock || record, !record && l == fullBlock && mlpInvestigated != l);
                        try {
                            resid = model.block(l, resid, ctx).keep();
                        } finally {
                            if (stored) store.leave(l);
                        }
                        if (afterBlock != null) afterBlock.accept(l);
                        // PAHQ's caches, made with each block read back in float32: the block's freed matrices and
                        // transients back to the system before the next block's (glibc kept them: +48 MB over one
                        // cache's forward, and the caches' forwards were the set-up's highest point)
                        if (record && store != null) dev.frugal.tensor.NativeMemory.trim();
                    }
                    if (kept != null) kept.close();
                    kept = resid;
                }
                if (headPositions != null) resid = resid.indexSelect(1, headPositions); // (N, P, C)
                if (metric != null) {
                    metricValues = measure(resid, ctx);
                    return null;
                }
                try {
                    return model.head(resid, ctx); // (N, T or P, V)
                } finally {
                    lowActive = false;
                }
            } finally {
                if (kept != null) kept.close();
                corr.release();
            }
        }

        /**
         * The metric of each configuration from the final residual {@code (N, P, C)}: the LM head and the metric a few
         * configurations at a time, so that the logits of all of them never exist at once.
         */
        private double[] measure(Tensor resid, ForwardContext ctx) {
            if (store != null && headFull) return measureStreamed(resid, ctx);
            long perConfig = b * resid.size(1) * model.config().vocabSize();
            int per = (int) Math.max(1, Math.min(k, metricChunkElements / perConfig));
            double[] values = new double[k];
            for (int k0 = 0; k0 < k; k0 += per) {
                int kc = Math.min(per, k - k0);
                try (Scope chunk = Scope.open()) {
                    headFrom = k0;
                    headCount = kc;
                    double[] v = metric.evaluateAtPositions(model.head(resid.narrow(0, k0 * b, kc * b), ctx), kc);
                    System.arraycopy(v, 0, values, k0, kc);
                } finally {
                    lowActive = false;
                    headCount = -1;
                }
            }
            return values;
        }

        /**
         * {@link #measure} when the output is investigated and only low-precision weights are kept: the float32 LM head
         * (resident while the output is investigated) runs a chunk of rows at a time, for every configuration together,
         * and the metric accumulates over the chunks.
         */
        private double[] measureStreamed(Tensor resid, ForwardContext ctx) {
            try (Scope s = Scope.open(); Metric.Accumulator acc = metric.accumulator(k)) {
                streamTo = acc;
                model.head(resid, ctx); // the LM head's product goes to acc, chunk by chunk
                if (streamTo != null) throw new IllegalStateException("the LM head did not read its float32 weights"
                        + " from the checkpoint");
                return acc.finish();
            } finally {
                streamTo = null;
                lowActive = false;
            }
        }

        @Override
        public Tensor linear(String module, Tensor x, Tensor w, Tensor bias) {
            if (lowActive) return low(module, w, bias, false).apply(x);
            String dropped = store == null ? null : store.placeholderName(w);
            // a streamed set-up investigating the output before the copies: the model's own LM head, in the same
            // chunks as the one read back later
            if (dropped == null && headFull && store != null) dropped = store.residentName(w);
            if (dropped == null) return NN.linear(x, w, bias);
            if (streamTo == null) return store.fullProduct(dropped, x, bias, headChunkElements); // e.g. the LM head
            Metric.Accumulator acc = streamTo;
            streamTo = null;
            store.forEachProductChunk(dropped, x, bias, headChunkElements, acc::add);
            return x; // nothing reads it: the metric has its logits
        }

        @Override
        public Tensor conv1d(String module, Tensor x, Tensor w, Tensor bias) {
            if (lowActive) return low(module, w, bias, true).apply(x);
            if (store != null && store.placeholderName(w) != null) throw new IllegalStateException(module
                    + " needs float32 weights outside the investigated block");
            return NN.linear(x, w.t(), bias);
        }

        @Override
        public Tensor residual(int layer, Tensor h) {
            if (layer < numLayers) {
                if (record) cache.residPre(layer, h);
                return h;
            }
            if (record) cache.residPre(layer, h);
            Node out = Node.output();
            Tensor d = corr.deltas(List.of(out)).get(out);
            if (d != null && headPositions != null) d = d.indexSelect(1, headPositions);
            if (d != null && headCount >= 0) d = d.narrow(0, headFrom * b, headCount * b); // this chunk's configurations
            // the LM head that follows: float32 when the output is patched (only-low storage: when investigated)
            lowActive = low && (d == null || (store != null && !headFull));
            return d == null ? h : h.add(d);
        }

        @Override
        public Tensor attention(AttentionParts p, Tensor resid) {
            int l = p.layer(), nh = p.heads();
            if (l == start && common != null) {
                // the block's shared part once on B rows, under the corrections every configuration has
                boolean head = varying.kind() == Node.Kind.Q || varying.kind() == Node.Kind.K || varying.kind() == Node.Kind.V;
                int hv = head ? varying.head() : -1;
                Attn shared = sharedAttention(this, p, hv, common, clean, corrupted, low);
                for (int h = 0; h < nh; h++) if (shared.outs()[h] != null) corr.shared(Node.head(l, h), shared.outs()[h]);
                Tensor out = repeat(shared.out(), k);
                if (head) {
                    Tensor o = investigatedHead(p, hv, resid, corr); // (N, T, C)
                    out = out.add(o);
                    corr.current(Node.head(l, hv), o);
                }
                return out;
            }
            Attn a = PatchedForward.this.attention(this, p, resid, corr, corr::needs, low, record, -1);
            for (int h = 0; h < nh; h++) if (a.outs()[h] != null) corr.current(Node.head(l, h), a.outs()[h]);
            if (record) cache.heads(l, a.outs());
            return a.out();
        }

        @Override
        public Tensor mlp(MlpParts p, Tensor resid) {
            Node m = Node.mlp(p.layer());
            Tensor dm = corr.deltas(List.of(m)).get(m);
            Tensor x = p.norm(dm == null ? resid : resid.add(dm));
            // float32 when its input is patched (only-low storage: when investigated)
            lowActive = low && (dm == null || (store != null && p.layer() != mlpInvestigated));
            Tensor out;
            try {
                out = p.apply(x); // (N, T, C)
            } finally {
                lowActive = false;
            }
            corr.current(m, out);
            if (record) cache.mlp(p.layer(), out);
            return out;
        }
    }

    /** The low-precision copy of a module's weight {@code (out, in)} (Conv1D: {@code (in, out)}), made on first use. */
    private Projection low(String module, Tensor w, Tensor bias, boolean conv1d) {
        Projection p = lowCopies.get(module);
        if (p == null && store != null && store.placeholderName(w) != null) throw new IllegalStateException("no"
                + " low-precision copy of " + module
                + " was made before the float32 weights were dropped");
        if (p == null) {
            p = new Projection(conv1d ? w.t().contiguous() : w, bias, precision);
            lowCopies.put(module, p);
        }
        return p;
    }

    /**
     * One block's attention through {@code ops}: its output {@code (N, T, C)} (bias included), and each head's output
     * (N, T, C) where {@code needs} asks for it (every head when recording).
     *
     * @param excluded a head left out entirely (its output neither added nor returned), or -1
     */
    private Attn attention(Run ops, AttentionParts p, Tensor resid, Corrections corr, Predicate<Node> needs, boolean low,
                           boolean record, int excluded) {
        int l = p.layer(), nh = p.heads(), nkv = p.kvHeads();
        // ---- q/k/v inputs per head
        Tensor[][] delta = new Tensor[3][nh];
        List<Node> rs = new ArrayList<>();
        for (int h = 0; h < nh; h++)
            for (Node.Kind kind : QKV) rs.add(Node.input(kind, l, h));
        Corrections.Prepared d = corr.prepare(rs); // the corrections themselves are made head by head, below
        boolean[][] has = new boolean[3][nh];
        boolean[] patched = new boolean[nh];
        boolean anyPatched = false;
        for (int h = 0; h < nh; h++) {
            if (h == excluded) continue;
            for (int i = 0; i < 3; i++) has[i][h] = d.has(Node.input(QKV[i], l, h));
            patched[h] = has[0][h] || has[1][h] || has[2][h];
            anyPatched |= patched[h];
        }
        Tensor shared = p.norm(resid); // (N, T, C)
        ops.lowActive = low;
        Tensor[] qkv;
        try {
            qkv = p.project(shared); // q (N, H, T, D), k and v (N, H_kv, T, D)
        } finally {
            ops.lowActive = false;
        }
        if (anyPatched) {
            // a patched head's own inputs, one head at a time: its corrections (N, T, C) and normed inputs are freed
            // before the next head's are made (all of a block's at once were the peak of a stacked forward)
            for (int h = 0; h < nh; h++) {
                if (!patched[h]) continue;
                List<Node> own = new ArrayList<>();
                for (int i = 0; i < 3; i++) if (has[i][h]) own.add(Node.input(QKV[i], l, h));
                try (Scope head = Scope.open()) {
                    Map<Node, Tensor> dh = corr.of(d, own);
                    for (int i = 0; i < 3; i++)
                        if (has[i][h]) delta[i][h] = p.projectHead(ROLES[i], h, p.norm(resid.add(dh.get(Node.input(QKV[i],
                                l, h))))).keep(); // (N, T, D)
                }
            }
            try {
                for (int i = 0; i < 3; i++) {
                    boolean any = false;
                    for (int h = 0; h < nh; h++) any |= has[i][h] || (patched[h] && low);
                    if (!any) continue;
                    Tensor all = qkv[i];
                    if (all.size(1) != nh) all = all.repeatInterleave(nh / nkv, 1); // grouped-query: one k/v per query head
                    List<Tensor> per = new ArrayList<>(nh);
                    for (int h = 0; h < nh; h++) {
                        if (has[i][h]) per.add(delta[i][h]); // from its own input
                        else if (patched[h] && low) per.add(p.projectHead(ROLES[i], h, shared)); // float32 weights
                        else per.add(all.select(1, h));
                    }
                    qkv[i] = Tensors.stack(per, 1); // (N, H, T, D)
                }
            } finally {
                for (Tensor[] row : delta) for (Tensor x : row) if (x != null) x.close();
            }
        }
        Tensor z = p.attend(qkv[0], qkv[1], qkv[2]); // (N, T, H, D)
        Tensor[] outs = new Tensor[nh]; // (N, T, C) per head, where a sender value is needed
        boolean[] dropped = patched.clone(); // heads left out of the fused low-precision output projection
        if (excluded >= 0) dropped[excluded] = true;
        Tensor out;
        if (!low) { // one fused output projection (includes b_O); per-head outputs only where needed
            out = p.output(excluded < 0 ? z : z.mul(Tensors.fromFloats(keepMask(nh, excluded), 1, 1, nh, 1).to(z.device()).to(z.dtype())));
            for (int h = 0; h < nh; h++)
                if (h != excluded && (record || needs.test(Node.head(l, h)))) outs[h] = p.outputHead(h, z.select(2, h));
        } else {
            Tensor zl = anyPatched || excluded >= 0 // the investigated heads leave the low-precision product (float32)
                    ? z.mul(Tensors.fromFloats(maskOf(dropped), 1, 1, nh, 1).to(z.device()).to(z.dtype())) : z;
            ops.lowActive = true;
            try {
                out = p.output(zl); // (N, T, C), includes b_O
            } finally {
                ops.lowActive = false;
            }
            for (int h = 0; h < nh; h++) {
                if (h == excluded) continue;
                if (patched[h] || needs.test(Node.head(l, h))) outs[h] = p.outputHead(h, z.select(2, h));
                if (patched[h]) out = out.add(outs[h]);
            }
        }
        return new Attn(out, outs);
    }

    private static final Node.Kind[] QKV = {Node.Kind.Q, Node.Kind.K, Node.Kind.V};
    private static final AttentionParts.Role[] ROLES = AttentionParts.Role.values();

    /** {@code corrupted − value} of one sender (or {@code −value}), kept while the value tensor stays the same. */
    private record Diff(Tensor value, ActivationCache corrupted, Tensor diff) {}

    private final Map<Node, Diff> diffs = new HashMap<>();

    private Tensor diff(Node s, Tensor value, ActivationCache corrupted) {
        Diff d = diffs.get(s);
        if (d != null && d.value() == value && d.corrupted() == corrupted) return d.diff();
        if (d != null) d.diff().close();
        Tensor corr = corrupted == null ? null : corrupted.sender(s);
        Tensor x = (corr == null ? value.neg() : corr.sub(value)).keep();
        diffs.put(s, new Diff(value, corrupted, x));
        return x;
    }

    /** What the shared part of a receiver's block depends on: the edges into the block's other heads. */
    private record SharedKey(int layer, int excluded, Set<Edge> edges, ActivationCache clean, ActivationCache corrupted,
                             boolean low) {}

    private SharedKey sharedKey;
    private Attn sharedValue; // (B, T, C) tensors kept past the forward that computed them

    /**
     * Block {@code p.layer()}'s attention output on B rows without head {@code hv} (-1: with every head), every other
     * head's output included. ACDC tests all edges of one receiver (and the q, k, v receivers of one head) against
     * the same shared part, so the last one is kept and reused while its inputs (edges into the block's other heads,
     * the caches) are unchanged.
     */
    private Attn sharedAttention(Run ops, AttentionParts p, int hv, Set<Edge> common, ActivationCache clean,
                                 ActivationCache corrupted, boolean low) {
        int l = p.layer();
        Set<Edge> rel = new HashSet<>();
        for (Edge e : common) {
            Node r = e.receiver();
            if (r.layer() == l && r.head() >= 0 && r.head() != hv) rel.add(e);
        }
        SharedKey key = new SharedKey(l, hv, Set.copyOf(rel), clean, corrupted, low);
        if (key.equals(sharedKey)) return sharedValue;
        Tensor resid = clean.residPre(l);
        Corrections corr = new Corrections(List.of(key.edges()), clean, corrupted, 1, resid.size(0), resid.size(1),
                resid.size(2));
        Attn a = attention(ops, p, resid, corr, x -> true, low, false, hv);
        Tensor[] outs = a.outs().clone();
        for (int h = 0; h < outs.length; h++) if (outs[h] != null) outs[h] = outs[h].keep();
        releaseShared();
        // a copy: an int8 product's tensor is owned by the call that made it, not by this scope, and cannot be kept
        sharedValue = new Attn(a.out().cloneTensor().keep(), outs);
        sharedKey = key;
        return sharedValue;
    }

    private void releaseShared() {
        if (sharedValue == null) return;
        sharedValue.out().close();
        for (Tensor x : sharedValue.outs()) if (x != null) x.close();
        sharedValue = null;
        sharedKey = null;
    }

    /**
     * Head {@code hv} of block {@code p.layer()} on all K·B rows, in float32, each of its q/k/v inputs with every
     * configuration's corrections: its output {@code (N, T, C)} without the output bias.
     */
    private Tensor investigatedHead(AttentionParts p, int hv, Tensor resid, Corrections corr) {
        int l = p.layer();
        List<Node> rs = new ArrayList<>();
        for (Node.Kind kind : QKV) rs.add(Node.input(kind, l, hv));
        Map<Node, Tensor> d = corr.deltas(rs);
        Tensor shared = null;
        Tensor[] qkv = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor dl = d.get(rs.get(i));
            Tensor x;
            if (dl != null) x = p.norm(resid.add(dl)); // (N, T, C)
            else x = shared == null ? (shared = p.norm(resid)) : shared;
            qkv[i] = p.projectHead(ROLES[i], hv, x).unsqueeze(1); // (N, 1, T, D)
        }
        Tensor z = p.attend(qkv[0], qkv[1], qkv[2]); // (N, T, 1, D)
        return p.outputHead(hv, z.select(2, 0)); // (N, T, C)
    }

    private static float[] keepMask(int heads, int excluded) {
        float[] m = new float[heads];
        java.util.Arrays.fill(m, 1f);
        m[excluded] = 0f;
        return m;
    }

    private static float[] maskOf(boolean[] patched) {
        float[] m = new float[patched.length];
        for (int i = 0; i < m.length; i++) m[i] = patched[i] ? 0f : 1f;
        return m;
    }

    /** {@code x (B, T, C)} repeated K times along the batch: (K·B, T, C). */
    static Tensor repeat(Tensor x, int k) {
        if (k == 1) return x;
        long[] s = x.shape();
        return x.unsqueeze(0).expand(k, s[0], s[1], s[2]).reshape(k * s[0], s[1], s[2]);
    }

    /** The per-receiver corrections Σ (corrupted_s − current_s) of one batched forward. */
    private final class Corrections {
        private final List<Map<Node, Set<Node>>> removed = new ArrayList<>(); // per config: receiver → removed senders
        private final Set<Node> needed = new LinkedHashSet<>();
        private final Map<Node, Tensor> current = new HashMap<>(); // sender → (N, T, C) computed in this run
        private final Map<Node, Tensor> shared = new HashMap<>(); // sender → (B, T, C), the same in every configuration
        private final ActivationCache clean, corrupted;
        private final int k;
        private final long b, t, c;

        Corrections(List<Set<Edge>> configs, ActivationCache clean, ActivationCache corrupted, int k, long b, long t, long c) {
            this.clean = clean;
            this.corrupted = corrupted;
            this.k = k;
            this.b = b;
            this.t = t;
            this.c = c;
            for (Set<Edge> es : configs) {
                Map<Node, Set<Node>> m = new HashMap<>();
                for (Edge e : es) {
                    m.computeIfAbsent(e.receiver(), x -> new LinkedHashSet<>()).add(e.sender());
                    needed.add(e.sender());
                }
                removed.add(m);
            }
        }

        boolean needs(Node sender) { return needed.contains(sender); }

        /** A sender's value computed in this run: kept past its block's scope until {@link #release()}. */
        void current(Node sender, Tensor value) {
            if (needed.contains(sender)) {
                Tensor old = current.put(sender, value.keep());
                if (old != null) old.close();
            }
        }

        /** Drops the sender values this run kept. */
        void release() {
            for (Tensor t : current.values()) t.close();
            current.clear();
        }

        /** A sender computed in this run whose output {@code (B, T, C)} is the same in every configuration. */
        void shared(Node sender, Tensor value) { if (needed.contains(sender)) shared.put(sender, value); }

        /** receiver → correction (N, T, C), only for receivers with a removed edge in some configuration. */
        Map<Node, Tensor> deltas(List<Node> receivers) {
            Prepared p = prepare(receivers);
            return of(p, p.receivers());
        }

        /**
         * What the corrections of {@code receivers} need, made once: which of them have a removed edge in some
         * configuration, the senders involved, and their stacked differences; {@link #of} then makes the
         * corrections of any subset.
         */
        Prepared prepare(List<Node> receivers) {
            List<Node> rs = new ArrayList<>();
            LinkedHashSet<Node> ss = new LinkedHashSet<>();
            for (Node r : receivers) {
                boolean any = false;
                for (Map<Node, Set<Node>> m : removed) {
                    Set<Node> s = m.get(r);
                    if (s != null && !s.isEmpty()) {
                        ss.addAll(s);
                        any = true;
                    }
                }
                if (any) rs.add(r);
            }
            List<Node> senders = new ArrayList<>(ss);
            long btc = b * t * c;
            // senders computed before the start block (or the same in every configuration) carry one (corrupted −
            // value) for all configurations: one broadcast product for them, a batched one for the senders that
            // differ between configurations
            List<Integer> pre = new ArrayList<>(), run = new ArrayList<>();
            for (int si = 0; si < senders.size(); si++) (current.containsKey(senders.get(si)) ? run : pre).add(si);
            Tensor preDiffs = null, runDiffs = null;
            if (!rs.isEmpty() && !pre.isEmpty()) {
                List<Tensor> diffs = new ArrayList<>();
                for (int si : pre) {
                    Node s = senders.get(si);
                    Tensor cl = shared.containsKey(s) ? shared.get(s) : clean.sender(s); // (B, T, C)
                    diffs.add(diff(s, cl, corrupted).reshape(btc));
                }
                preDiffs = Tensors.stack(diffs, 0); // (S', BTC)
            }
            if (!rs.isEmpty() && !run.isEmpty()) {
                List<Tensor> diffs = new ArrayList<>();
                for (int si : run) {
                    Node s = senders.get(si);
                    Tensor cv = current.get(s).reshape(k, btc);
                    Tensor corr = corrupted == null ? null : corrupted.sender(s);
                    diffs.add(corr == null ? cv.neg() : corr.reshape(1, btc).sub(cv));
                }
                runDiffs = Tensors.stack(diffs, 1); // (K, S'', BTC)
            }
            return new Prepared(rs, senders, pre, run, preDiffs, runDiffs);
        }

        /** The output of {@link #prepare}: receivers with a removal, the senders, and their stacked differences. */
        record Prepared(List<Node> receivers, List<Node> senders, List<Integer> pre, List<Integer> run, Tensor preDiffs,
                        Tensor runDiffs) {
            /** Whether {@code r} has a removed edge in some configuration. */
            boolean has(Node r) { return receivers.contains(r); }
        }

        /** receiver → correction (N, T, C) for {@code subset} (receivers that {@code p} {@link Prepared#has}). */
        Map<Node, Tensor> of(Prepared p, List<Node> subset) {
            Map<Node, Tensor> out = new HashMap<>();
            if (subset.isEmpty()) return out;
            int nr = subset.size();
            long btc = b * t * c;
            Tensor all = null; // (R, K, B·T·C): each receiver's K corrections contiguous
            if (p.preDiffs() != null)
                all = Tensors.fromFloats(mask(p, subset, p.pre(), true), nr * k, p.pre().size())
                        .to(p.preDiffs().device()).to(p.preDiffs().dtype()).matmul(p.preDiffs()).view(nr, k, btc); // (R·K, S') @ (S', BTC)
            if (p.runDiffs() != null) {
                Tensor part = Tensors.fromFloats(mask(p, subset, p.run(), false), k, nr, p.run().size())
                        .to(p.runDiffs().device()).to(p.runDiffs().dtype()).matmul(p.runDiffs())
                        .transpose(0, 1); // (K, R, S'') @ (K, S'', BTC) → (R, K, BTC)
                all = all == null ? part.contiguous() : all.add(part);
            }
            for (int ri = 0; ri < nr; ri++) out.put(subset.get(ri), all.select(0, ri).view(k * b, t, c));
            return out;
        }

        /**
         * 1 where configuration k removes sender {@code cols[j]} from receiver {@code subset[r]}: rows (r, k) when
         * {@code receiverMajor}, else (k, r); columns j.
         */
        private float[] mask(Prepared p, List<Node> subset, List<Integer> cols, boolean receiverMajor) {
            int nr = subset.size(), nc = cols.size();
            float[] m = new float[nr * k * nc];
            for (int ri = 0; ri < nr; ri++)
                for (int ki = 0; ki < k; ki++) {
                    Set<Node> s = removed.get(ki).get(subset.get(ri));
                    if (s == null) continue;
                    int row = receiverMajor ? ri * k + ki : ki * nr + ri;
                    for (int j = 0; j < nc; j++) if (s.contains(p.senders().get(cols.get(j)))) m[row * nc + j] = 1f;
                }
            return m;
        }
    }

    @Override
    public void close() {
        releaseShared();
        for (Diff d : diffs.values()) d.diff().close();
        diffs.clear();
        for (Projection pr : lowCopies.values()) pr.close(); // before the float32 matrices come back
        lowCopies.clear();
        if (store != null) store.close(); // the model gets its float32 weights back
        store = null;
        copiesPending = false;
    }
}
