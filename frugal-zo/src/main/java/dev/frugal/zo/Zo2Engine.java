package dev.frugal.zo;

import dev.frugal.model.BlockSource;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Cuda;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NativeMemory;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ZO2 (Wang et al. 2025): ZO-SGD whose transformer blocks live in a slower tier and stream through a working tier of
 * at most K blocks. Each block, while resident, runs both perturbed forwards ({@code h₊ ← block(θ+εz, h₊)} and
 * {@code h₋ ← block(θ−εz, h₋)}), so it is loaded once per step; the update of step t−1 is applied to a block in the
 * same visit that perturbs it for step t. Embedding and head stay resident.
 *
 * <p>Per parameter the float operations are exactly {@link MezoReference}'s: update(t−1), θ+(1·z)ε,
 * θ+(−2·z)ε, θ+(1·z)ε, with z drawn in {@code named_parameters()} order, so with fp32 storage the engine reproduces
 * MeZO bit for bit; with bf16/fp16 storage every tier (none, host, disk) and every K gives the same bits as the
 * others. A pending update is applied by {@link #flush()} before evaluation, snapshots and the end of training.
 *
 * <p>z comes from the stream {@link ZoHyperparameters#rng()} names: MeZO's (above), or {@link ZoRng#PARALLEL}'s
 * counter-based one, whose blocks are prepared in one fused pass per chunk by several threads
 * ({@link ParallelPerturbation}); the tier, K and storage guarantees hold for both.
 *
 * <p>Subsets ({@link ZoHyperparameters#tuned}): only the tuned parameters are perturbed and updated, and z is drawn
 * for them only (MeZO's stream for that trainable set, {@link TunedParameters}; on the parallel stream a tuned
 * parameter's z is the slice at its offset in the whole model, the same as in a run that tunes everything); a block
 * with no tuned parameter is still streamed for the forwards but never written back. When the embedding and the
 * lowest blocks are all frozen, θ₊ and θ₋ agree on them, so both perturbed forwards share their outputs: the embedding
 * and those blocks run once per step, not twice ({@link #shareFrozenForwards}; with the head alone tuned the whole
 * trunk runs once). The reference path ({@code shareFrozenForwards(false)}) runs them twice, as MeZO does; both give
 * the same bits.
 */
public final class Zo2Engine<B> implements ZoEngine<B> {
    private final StagedModel model;
    private final ZoObjective<B> objective;
    private final ZoHyperparameters hp;
    private final OffloadConfig offload;
    private final ParameterLayout layout;
    private final ParameterLayout tuned; // the layout restricted to the tuned parameters (layout itself for all)
    private boolean shareFrozen = true;
    private final BlockStore store;
    private final BlockStreamer streamer;
    private final WorkingSets zSets; // z·ε of the blocks in flight
    private final ParallelPerturbation parallel; // the draws of ZoRng.PARALLEL (null: MeZO's stream)
    private final Map<String, Long> offsets;
    private boolean fused = true; // PARALLEL: the blocks' update and +εz in one pass with the draws
    private boolean inlineDraws; // PARALLEL: blocks prepared on the compute thread by every core, not by the loader
    private PendingUpdate pending;

    /** An engine over {@code model} with every block resident now (moved into the offload tier here). */
    public Zo2Engine(StagedModel model, ZoObjective<B> objective, ZoHyperparameters hp, OffloadConfig offload) {
        this(model, null, objective, hp, offload);
    }

    /**
     * An engine over {@code model} whose block groups are empty, its blocks taken from {@code blocks} one at a time
     * straight into the offload tier (a seeded initialiser, or a checkpoint read block by block), so that the whole
     * fp32 model is never resident. Gives the same bits, step for step, as the eager constructor on the same weights.
     *
     * @throws IllegalArgumentException when a block group is not empty or the block counts differ
     */
    public static <B> Zo2Engine<B> streaming(StagedModel model, BlockSource blocks, ZoObjective<B> objective,
                                             ZoHyperparameters hp, OffloadConfig offload) {
        if (blocks.numBlocks() != model.blockParams().size()) throw new IllegalArgumentException("the block source has "
                + blocks.numBlocks() + " blocks but the model " + model.blockParams().size());
        for (ParamGroup g : model.blockParams()) if (g.numel() > 0) throw new IllegalArgumentException("stage "
                + g.name() + " already holds parameters: a streamed engine takes its blocks from the source only");
        return new Zo2Engine<>(model, blocks, objective, hp, offload);
    }

    private Zo2Engine(StagedModel model, BlockSource source, ZoObjective<B> objective, ZoHyperparameters hp,
                      OffloadConfig offload) {
        if (model.blockParams().isEmpty()) throw new IllegalArgumentException("ZO2 needs a model with blocks");
        if (hp.rng() == ZoRng.PARALLEL && (offload.device().isCuda() || offload.computeDtype() != dev.frugal.tensor.DType.F32))
            throw new dev.frugal.InvalidSettingException("rng", "parallel draws z on the CPU in fp32; with a "
                    + offload.device() + " working tier computing in " + offload.computeDtype() + " use mezo");
        this.model = model;
        this.objective = objective;
        this.hp = hp;
        this.offload = offload;
        this.layout = ParameterLayout.of(model, source);
        this.tuned = layout.restrictedTo(hp.tuned());
        this.offsets = layout.offsets();
        if (hp.samples() > 1 && (!tuned.prefix().isEmpty() || tuned.firstNonEmptyBlock() < layout.numBlocks()))
            throw new dev.frugal.InvalidSettingException("samples", "(" + hp.samples() + " perturbations per step, "
                    + "n-SPSA) needs the tuned parameters to lie after the blocks (tune head); '" + hp.tuned()
                    + "' tunes the embedding or a block: use samples 1 with it");
        this.inlineDraws = hp.rng() == ZoRng.PARALLEL && drawsInline();
        this.parallel = hp.rng() == ZoRng.PARALLEL
                ? new ParallelPerturbation(inlineDraws ? dev.frugal.tensor.Threads.cores() : rngThreads()) : null;
        List<ParamGroup> blocks = model.blockParams();
        boolean inPlace = offload.zeroCopy();
        if (source != null && inPlace) { // everything resident anyway: fill the model's groups
            for (int i = 0; i < blocks.size(); i++) {
                LinkedHashMap<String, Tensor> b = source.take(i);
                for (var e : b.entrySet()) {
                    try (Scope s = Scope.open()) {
                        blocks.get(i).put(e.getKey(), e.getValue().to(offload.device()).to(offload.computeDtype()));
                    }
                    e.getValue().close(); // put() took its own reference
                }
            }
        }
        BlockSource src = source != null ? source : BlockSource.of(blocks);
        this.store = switch (offload.tier()) {
            case NONE -> inPlace ? MemoryBlockStore.inPlace(blocks)
                    : MemoryBlockStore.copyOf(src, offload.storageDtype(), offload.computeDtype(), offload.device());
            case HOST -> MemoryBlockStore.copyOf(src, offload.storageDtype(), offload.computeDtype(), offload.device());
            case DISK -> new DiskBlockStore(src, offload.storageDtype(), offload.diskDir());
        };
        this.zSets = new WorkingSets(offload.computeDtype(), offload.device());
        // zero-copy: nothing to load, K only bounds how far ahead the loader thread prepares (perturbs) blocks
        int k = inPlace ? Math.min(2, blocks.size()) : offload.tier() == OffloadTier.NONE ? blocks.size()
                : Math.min(offload.residentBlocks(), blocks.size());
        this.streamer = new BlockStreamer(store, k, blocks.size(), offload.device());
        // unless the program chose a policy already: offloading is for bounded memory, so freed tensors go back to the OS
        // at once; in memory, for speed, freed activations are reused without page faults
        if (NativeMemory.policy() == NativeMemory.Policy.DEFAULT) {
            if (offload.tier() != OffloadTier.NONE) NativeMemory.returnFreedMemory();
            else if (!offload.device().isCuda()) NativeMemory.reuseFreedMemory();
        }
    }

    /**
     * Threads drawing {@link ZoRng#PARALLEL}'s z (the loader thread and its helpers): the cores the compute threads
     * leave free, plus the loader's own, at least 1. On a machine whose cores the forwards' GEMMs already fill, helper
     * threads only preempt OpenBLAS's threads (whose siblings then spin at their barrier), so the loader draws alone.
     * The numbers do not depend on it.
     */
    static int rngThreads() {
        return Math.max(1, dev.frugal.tensor.Threads.cores() - dev.frugal.tensor.Threads.defaultCount() + 1);
    }

    /**
     * Whether {@link ZoRng#PARALLEL}'s blocks are prepared (update, draws, +εz) on the compute thread, by a pool as
     * large as the machine, right before each block's forwards, instead of by the loader thread while the previous
     * block computes: when the compute threads fill every core ({@link #rngThreads()} is 1), drawing beside the
     * forwards preempts one of OpenBLAS's threads, and its siblings wait for it at every barrier (on the 2-core VM the
     * loader's single-threaded draws added about twice their own time to a step: docs/zo2-bench.md). Between two blocks' GEMMs the cores
     * are idle, so all of them draw. The numbers are the same either way (a pure function of offsets).
     */
    static boolean drawsInline() { return rngThreads() == 1 && dev.frugal.tensor.Threads.cores() > 1; }

    /** Threads drawing {@link ZoRng#PARALLEL}'s z (0 with MeZO's stream). */
    public int drawThreads() { return parallel == null ? 0 : parallel.threads(); }

    /** Whether {@link ZoRng#PARALLEL}'s blocks are prepared on the compute thread ({@link #drawsInline()}). */
    public boolean preparesInline() { return inlineDraws; }

    public OffloadConfig offload() { return offload; }

    @Override
    public DType storageDtype() { return offload.storageDtype(); }

    /** Block parameters in the working dtype, the others as the model holds them. */
    @Override
    public List<dev.frugal.io.SafetensorsWriter.Entry> checkpointLayout(StagedModel model) {
        Map<String, long[]> blockShapes = blockShapes();
        List<dev.frugal.io.SafetensorsWriter.Entry> out = new ArrayList<>();
        for (String n : model.parameterNames())
            out.add(blockShapes.containsKey(n) ? new dev.frugal.io.SafetensorsWriter.Entry(n, offload.computeDtype(),
                    blockShapes.get(n)) : dev.frugal.io.SafetensorsWriter.Entry.of(n, model.parameter(n)));
        return out;
    }

    /** The parameters outside the blocks from the model, then each block's working copies as the tier brings it in. */
    @Override
    public void writeParameters(StagedModel model, dev.frugal.io.SafetensorsWriter.TensorSink sink) {
        if (hasPendingUpdate()) throw new IllegalStateException("an update is pending: flush() first");
        Map<String, long[]> blockShapes = blockShapes();
        for (String n : model.parameterNames()) if (!blockShapes.containsKey(n)) sink.put(n, model.parameter(n));
        forEachBlock((i, w) -> w.forEach(sink::put));
    }

    private Map<String, long[]> blockShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (List<String> b : layout.blocks()) for (String n : b) s.put(n, layout.shapes().get(n));
        return s;
    }

    public ZoHyperparameters hyperparameters() { return hp; }

    /**
     * Whether the forwards through the frozen embedding and frozen lowest blocks are shared by both perturbed sides
     * (the default, the fast path) or run once per side (the reference path, MeZO's two full forwards). Both give the
     * same bits; with every parameter tuned there is nothing to share.
     */
    public Zo2Engine<B> shareFrozenForwards(boolean share) {
        this.shareFrozen = share;
        return this;
    }

    /** How many of the lowest blocks are frozen and shared by both perturbed forwards in a step (0 when none is). */
    public int sharedFrozenBlocks() { return shareFrozen && tuned.prefix().isEmpty() ? tuned.firstNonEmptyBlock() : 0; }

    /** Whether an update is waiting to be applied (by the next step's pass or {@link #flush()}). */
    public boolean hasPendingUpdate() { return pending != null; }

    /** Bytes held by the offload tier (the blocks in their storage dtype). */
    public long storedBytes() { return store.storedBytes(); }

    /** Step {@code t} with the seed derived from the run seed. */
    public ZoStep step(long t, B batch) { return step(t, hp.stepSeed(t), batch); }

    /**
     * Step {@code t} with perturbation seed {@code seed}; its update stays pending. With n-SPSA (samples n &gt; 1,
     * tuned parameters after the blocks only) see {@link #stepSamples}: its update is applied at once.
     */
    public ZoStep step(long t, long seed, B batch) {
        if (hp.samples() > 1) return stepSamples(t, seed, batch);
        PerturbedLosses l = perturbedLosses(t, seed, batch, PerturbedSides.BOTH);
        double grad = MezoReference.projectedGradient(l.lossPlus(), l.lossMinus(), hp.eps());
        defer(seed, grad, hp.lr());
        return new ZoStep(t, seed, l.lossPlus(), l.lossMinus(), grad, hp.lr());
    }

    /**
     * One streamed pass of step {@code t} that computes only the perturbed losses of {@code sides}: the pending
     * update is applied, every parameter goes through MeZO's exact θ+(1·z)ε, θ+(−2·z)ε, θ+(1·z)ε whatever the
     * sides, so replicas that compute different sides (DistZO2's perturbation parallelism) or none (replaying a
     * logged step) stay bit-identical to one that computes both. Nothing is left pending: the caller decides the
     * projected gradient (e.g. after exchanging losses with other workers) and calls {@link #defer}.
     *
     * @param batch the batch of step t; may be null when {@code sides} is {@link PerturbedSides#NONE}
     * @return the losses computed (NaN for a side not computed)
     * @throws NonFiniteLossException when a computed loss is not finite
     */
    public PerturbedLosses perturbedLosses(long t, long seed, B batch, PerturbedSides sides) {
        boolean plus = sides.plus(), minus = sides.minus();
        if ((plus || minus) && batch == null)
            throw new IllegalArgumentException("step " + t + ": computing " + sides + " losses needs a batch");
        try (GradMode g = GradMode.off(); Scope step = Scope.open();
             PerturbationStream cur = stream(seed);
             PerturbationStream prev = pending == null ? null : stream(pending.seed())) {
            PendingUpdate upd = pending;
            pending = null; // applied by this pass, whatever happens next
            ForwardContext ctx = plus || minus ? objective.context(model, batch) : null;
            Resident prefix = Resident.perturb(model, tuned.prefix(), cur, prev, upd, hp);
            // a frozen embedding and frozen lowest blocks: θ₊ = θ₋ there, one forward serves both sides until block
            // `shared`, where hShared is split into h₊ and h₋ (the same bits as two forwards: the same operations)
            boolean share = shareFrozen && tuned.prefix().isEmpty() && (plus || minus);
            int shared = share ? tuned.firstNonEmptyBlock() : -1;
            Tensor hShared = share ? objective.embed(model, batch, ctx).keep() : null;
            Tensor hPlus = plus && !share ? objective.embed(model, batch, ctx).keep() : null;
            Tensor hMinus = minus && !share ? prefix.withMinus(() -> objective.embed(model, batch, ctx).keep()) : null;
            prefix.dropZ(); // the embedding-sized z·ε is not held while the blocks stream
            // the loader thread applies the update of step t−1 and θ₊ = θ + (1·z)ε to block i+1 (drawing both z) while
            // block i runs its forwards here
            streamer.beginPass(inlineDraws ? null : (i, w) -> prepare(i, w, cur, prev, upd));
            for (int i = 0; i < layout.numBlocks(); i++) {
                if (i == shared) { // the first tuned block: the sides part here
                    hPlus = plus ? hShared : null;
                    hMinus = minus ? (plus ? hShared.cloneTensor().keep() : hShared) : null;
                    hShared = null;
                }
                try (Scope bs = Scope.open()) {
                    BlockStreamer.Loaded b = streamer.acquire(i);
                    LinkedHashMap<String, Tensor> w = b.working();
                    LinkedHashMap<String, Tensor> zEps = inlineDraws ? prepare(i, w, cur, prev, upd) : b.prepared();
                    install(i, w);
                    if (hShared != null) hShared = advance(i, hShared, ctx); // frozen: no shift, one forward
                    else {
                        if (plus) hPlus = advance(i, hPlus, ctx);
                        for (var e : zEps.entrySet()) w.get(e.getKey()).addInPlace(e.getValue(), -2.0);
                        if (minus) hMinus = advance(i, hMinus, ctx);
                        for (var e : zEps.entrySet()) w.get(e.getKey()).addInPlace(e.getValue(), 1.0);
                    }
                    // the loader reuses z·ε and the working set at once: on a GPU, the queued kernels must be done
                    if (offload.device().isCuda()) Cuda.syncCurrentStream(offload.device());
                    boolean dirty = !tuned.blocks().get(i).isEmpty(); // a frozen block is never written back
                    if (dirty) zSets.recycle(zEps);
                    uninstall(i);
                    streamer.release(i, w, dirty);
                }
            }
            if (hShared != null) { // every block frozen (the head alone tuned)
                hPlus = plus ? hShared : null;
                hMinus = minus ? (plus ? hShared.cloneTensor().keep() : hShared) : null;
            }
            releaseWorkingMemory();
            Resident suffix = Resident.perturb(model, tuned.suffix(), cur, prev, upd, hp);
            try (PerturbationStream again = stream(seed)) {
                prefix.redraw(again, hp.eps());
            }
            double lossPlus = Double.NaN, lossMinus = Double.NaN;
            if (plus) {
                try (Scope ls = Scope.open()) { // logits and their log-softmax freed before the other side's
                    lossPlus = objective.loss(model, hPlus, batch, ctx).itemDouble();
                }
                hPlus.close();
            }
            prefix.toMinus();
            suffix.toMinus();
            if (minus) {
                try (Scope ls = Scope.open()) { // logits and their log-softmax freed before the other side's
                    lossMinus = objective.loss(model, hMinus, batch, ctx).itemDouble();
                }
                hMinus.close();
            }
            prefix.restore();
            suffix.restore();
            if ((plus && !Double.isFinite(lossPlus)) || (minus && !Double.isFinite(lossMinus)))
                throw new NonFiniteLossException(t, lossPlus, lossMinus);
            return new PerturbedLosses(lossPlus, lossMinus);
        }
    }

    /**
     * n-SPSA (MeZO, Appendix): the frozen trunk runs once (every block frozen, so θ₊ and θ₋ of every perturbation
     * agree there: the same bits as 2n full forwards), then for k = 0..n−1, zₖ drawn from
     * {@link ZoHyperparameters#perturbationSeed}(seed, k), the head goes through MeZO's θ+(1·zₖ)ε, θ+(−2·zₖ)ε,
     * θ+(1·zₖ)ε with ℓ₊ₖ and ℓ₋ₖ from the shared hidden states (B, T, C), gₖ = (ℓ₊ₖ − ℓ₋ₖ)/(2ε); then the n updates
     * θ ← θ − ((lr/n)·gₖ)·zₖ [− ((lr/n)·wd)·θ] in order, applied at once (the head is resident: nothing to defer).
     * {@link MezoReference#step} does the same per parameter, so the bits agree. The step logs the means of the
     * losses and of the gₖ, and every gₖ.
     */
    private ZoStep stepSamples(long t, long seed, B batch) {
        int n = hp.samples();
        double[] g = new double[n], plus = new double[n], minus = new double[n];
        forwardMany(List.of(batch), (h, b, ctx) -> { // h: the trunk's output (B, T, C), shared by all 2n losses
            for (int k = 0; k < n; k++) {
                try (Scope ks = Scope.open();
                     PerturbationStream cur = stream(ZoHyperparameters.perturbationSeed(seed, k))) {
                    Resident head = Resident.perturb(model, tuned.suffix(), cur, null, null, hp);
                    try (Scope ls = Scope.open()) {
                        plus[k] = objective.loss(model, h, b, ctx).itemDouble();
                    }
                    head.toMinus();
                    try (Scope ls = Scope.open()) {
                        minus[k] = objective.loss(model, h, b, ctx).itemDouble();
                    }
                    head.restore();
                }
                if (!Double.isFinite(plus[k]) || !Double.isFinite(minus[k]))
                    throw new NonFiniteLossException(t, plus[k], minus[k]);
                g[k] = MezoReference.projectedGradient(plus[k], minus[k], hp.eps());
            }
            return null;
        });
        samplePass(false, seed, g, hp.lr());
        double lp = 0, lm = 0, mean = 0;
        for (int k = 0; k < n; k++) {
            lp += plus[k];
            lm += minus[k];
            mean += g[k];
        }
        return new ZoStep(t, seed, lp / n, lm / n, mean / n, hp.lr(), java.util.Arrays.stream(g).boxed().toList());
    }

    /**
     * The n updates of an n-SPSA step with {@code lr}/n each; with {@code shifts} (a replay) first each perturbation's
     * three shifts without forwards, for MeZO's rounding drift, so a replica ends with the bits of one that ran it.
     */
    private void samplePass(boolean shifts, long seed, double[] g, double lr) {
        int n = g.length;
        try (GradMode gm = GradMode.off(); Scope s = Scope.open()) {
            for (int k = 0; shifts && k < n; k++) {
                try (Scope ks = Scope.open();
                     PerturbationStream cur = stream(ZoHyperparameters.perturbationSeed(seed, k))) {
                    Resident.perturb(model, tuned.suffix(), cur, null, null, hp).restore();
                }
            }
            for (int k = 0; k < n; k++) {
                long sk = ZoHyperparameters.perturbationSeed(seed, k);
                try (Scope us = Scope.open(); PerturbationStream z = stream(sk)) {
                    PendingUpdate upd = new PendingUpdate(sk, g[k], lr / n);
                    for (String name : tuned.suffix()) Resident.update(model.parameter(name), z.resident(name), name, upd, hp);
                }
            }
        }
    }

    /** The z stream of step seed {@code seed}, in the working tier's dtype and on its device. */
    private PerturbationStream stream(long seed) {
        return new PerturbationStream(tuned, seed, offload.device(), offload.computeDtype(), parallel, offsets);
    }

    /**
     * Test seam: with {@code false}, {@link ZoRng#PARALLEL} prepares blocks through the reference path (z drawn into
     * a buffer, then libtorch's update, scale and add, as for MeZO's stream) instead of the fused pass.
     */
    void fusedParallelPass(boolean on) { fused = on; }

    /** Test seam: {@link ZoRng#PARALLEL}'s blocks prepared on the compute thread (true) or the loader thread (false). */
    void inlineParallelDraws(boolean on) { inlineDraws = on && parallel != null; }

    /**
     * Frees the recycled working sets and z·ε buffers once the blocks of a pass are done (after the last write-back),
     * so that while the head computes its logits and the next step perturbs the embedding, the process holds no
     * block-sized buffers.
     */
    private void releaseWorkingMemory() {
        streamer.drain();
        releaseStore();
        zSets.close();
    }

    private void releaseStore() {
        // buffers allocated on the side streams were used on the compute stream: let that finish before freeing
        if (offload.device().isCuda()) Cuda.syncDevice(offload.device());
        store.releaseWorkingMemory();
    }

    private Tensor advance(int block, Tensor h, ForwardContext ctx) {
        Tensor next = model.block(block, h, ctx).keep();
        h.close();
        return next;
    }

    /**
     * Leaves the update θ ← θ − lr·(g·z [+ wd·θ]), z regenerated from {@code seed}, pending for the next pass (or
     * {@link #flush()}). Every replica that defers the same (seed, g, lr) after the same passes holds the same bits.
     *
     * @throws IllegalStateException when an update is already pending (it would be lost)
     */
    public void defer(long seed, double grad, double lr) {
        if (pending != null) throw new IllegalStateException("an update (seed " + pending.seed()
                + ") is still pending: run a pass or flush() before deferring another");
        if (!Double.isFinite(grad) || !(lr >= 0))
            throw new IllegalArgumentException("cannot defer update with g=" + grad + ", lr=" + lr);
        pending = new PendingUpdate(seed, grad, lr);
    }

    /**
     * Replays a logged step without any forward pass: the same parameter arithmetic as the step's pass (pending
     * update, ±εz, restore) followed by deferring its logged update, so the replica ends bit-identical to one that
     * ran the step.
     */
    public void replay(ZoStep logged) {
        if (logged.samples() != hp.samples()) throw new IllegalArgumentException("step " + logged.step() + " was run"
                + " with " + logged.samples() + " perturbations, this engine runs " + hp.samples());
        if (hp.samples() > 1) {
            flush();
            samplePass(true, logged.seed(), logged.sampleGradients().stream()
                    .mapToDouble(Double::doubleValue).toArray(), logged.lr());
            return;
        }
        perturbedLosses(logged.step(), logged.seed(), null, PerturbedSides.NONE);
        defer(logged.seed(), logged.projectedGradient(), logged.lr());
    }

    /**
     * On the loader thread, block {@code i} in order: the pending update with z of step t−1 (drawn into a reused
     * buffer, one tensor at a time), then z of step t drawn, scaled to z·ε once (reused for all three shifts, bit-exact:
     * see {@link Resident}) and added: θ₊ = θ + (1·z)ε. Returns the block's z·ε (a recycled set).
     */
    private LinkedHashMap<String, Tensor> prepare(int i, LinkedHashMap<String, Tensor> w, PerturbationStream cur,
                                                  PerturbationStream prev, PendingUpdate upd) {
        List<String> names = tuned.blocks().get(i);
        if (names.isEmpty()) return new LinkedHashMap<>(); // a frozen block: nothing drawn, nothing shifted
        LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
        for (String n : names) shapes.put(n, w.get(n).shape());
        LinkedHashMap<String, Tensor> zEps = zSets.take(shapes);
        for (var e : zEps.entrySet()) {
            Tensor p = w.get(e.getKey());
            Tensor buf = e.getValue(); // holds z of step t−1 until the update has used it, then z·ε of step t
            if (fused && cur.parallel()) { // ZoRng.PARALLEL: update, draws and θ₊ in one pass (same bits)
                cur.updateAndPerturb(i, e.getKey(), p, buf, prev, upd, hp);
                continue;
            }
            if (prev != null) Resident.update(p, prev.drawInto(i, e.getKey(), buf), e.getKey(), upd, hp);
            Tensor ze = cur.drawInto(i, e.getKey(), buf).scaleInPlace(hp.eps());
            p.addInPlace(ze, 1.0);
        }
        return zEps;
    }

    /** Applies the pending update (streaming the blocks once); a no-op when nothing is pending. */
    public void flush() {
        if (pending == null) return;
        PendingUpdate upd = pending;
        try (GradMode g = GradMode.off(); Scope s = Scope.open();
             PerturbationStream prev = stream(upd.seed())) {
            for (String n : tuned.prefix()) Resident.update(model.parameter(n), prev.resident(n), n, upd, hp);
            streamer.beginPass();
            for (int i = 0; i < layout.numBlocks(); i++) {
                try (Scope bs = Scope.open()) {
                    LinkedHashMap<String, Tensor> w = streamer.acquire(i).working();
                    Map<String, Tensor> z = prev.block(i); // the tuned parameters' z only
                    for (var e : z.entrySet()) Resident.update(w.get(e.getKey()), e.getValue(), e.getKey(), upd, hp);
                    streamer.release(i, w, !z.isEmpty());
                }
            }
            for (String n : tuned.suffix()) Resident.update(model.parameter(n), prev.resident(n), n, upd, hp);
        }
        streamer.drain();
        releaseStore();
        pending = null;
    }

    /** The loss at the current parameters (flushes first), streaming the blocks without writing them back. */
    public double loss(B batch) {
        return forwardMany(List.of(batch), (h, b, ctx) -> objective.loss(model, h, b, ctx).itemDouble()).get(0);
    }

    /** The objective's loss of each batch, in one pass over the tier ({@link #forwardMany}), averaged. */
    @Override
    public double meanLoss(List<B> batches) {
        return forwardMany(batches, (h, b, ctx) -> objective.loss(model, h, b, ctx).itemDouble()).stream()
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** What to compute from a batch's final hidden states. */
    @FunctionalInterface
    public interface HeadFunction<B, R> {
        R apply(Tensor hidden, B batch, ForwardContext ctx);
    }

    /**
     * Forwards many batches at the current parameters (flushes first), block-major: each block is loaded once and
     * applied to every batch, so an evaluation over N batches costs one pass over the offload tier, not N. Hidden
     * states of all batches stay resident meanwhile ({@code N × (B, T, C)}). Tensors returned by {@code head} belong to
     * a scope closed before this returns: {@code keep()} them to use them afterwards.
     */
    public <R> List<R> forwardMany(List<B> batches, HeadFunction<B, R> head) {
        flush();
        List<R> out = new java.util.ArrayList<>();
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            List<ForwardContext> ctxs = new java.util.ArrayList<>();
            Tensor[] h = new Tensor[batches.size()];
            for (int j = 0; j < batches.size(); j++) {
                ctxs.add(objective.context(model, batches.get(j)));
                h[j] = objective.embed(model, batches.get(j), ctxs.get(j)).keep();
            }
            streamer.beginPass();
            for (int i = 0; i < layout.numBlocks(); i++) {
                try (Scope bs = Scope.open()) {
                    LinkedHashMap<String, Tensor> w = streamer.acquire(i).working();
                    install(i, w);
                    for (int j = 0; j < h.length; j++) {
                        try (Scope one = Scope.open()) {
                            Tensor next = model.block(i, h[j], ctxs.get(j)).keep();
                            h[j].close();
                            h[j] = next;
                        }
                    }
                    uninstall(i);
                    streamer.release(i, w, false);
                }
            }
            releaseStore();
            for (int j = 0; j < h.length; j++) {
                out.add(head.apply(h[j], batches.get(j), ctxs.get(j)));
                h[j].close();
            }
        }
        return out;
    }

    /**
     * Runs {@code visit} on every block with its fp32 parameters installed in the model (flushes first; blocks are
     * not written back). Used for evaluation passes with other outputs than the loss, and for snapshots. The tensors
     * handed to {@code visit} are working copies that are reused for later blocks: copy what must outlive the call.
     */
    public void forEachBlock(java.util.function.BiConsumer<Integer, Map<String, Tensor>> visit) {
        flush();
        streamer.beginPass();
        for (int i = 0; i < layout.numBlocks(); i++) {
            try (Scope bs = Scope.open()) {
                LinkedHashMap<String, Tensor> w = streamer.acquire(i).working();
                install(i, w);
                try {
                    visit.accept(i, w);
                } finally {
                    uninstall(i);
                    streamer.release(i, w, false);
                }
            }
        }
        releaseStore();
    }

    private void install(int i, LinkedHashMap<String, Tensor> w) {
        if (store.zeroCopy()) return;
        ParamGroup g = model.blockParams().get(i);
        for (var e : w.entrySet()) g.put(e.getKey(), e.getValue());
    }

    private void uninstall(int i) {
        if (!store.zeroCopy()) model.blockParams().get(i).clear();
    }

    @Override
    public void close() {
        streamer.close();
        store.close();
        zSets.close();
        if (parallel != null) parallel.close();
    }
}
