package dev.frugal.zo;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The z of one step, drawn from a generator seeded with the step seed, one N(0, I) tensor per parameter of its layout
 * (the tuned ones, {@link ParameterLayout#restrictedTo}) in {@code named_parameters()} order, regenerated instead of
 * stored. Blocks draw theirs when they stream through (in depth order; blocks with no tuned parameter draw nothing);
 * the resident prefix is drawn up front and kept, the suffix after the last block that draws.
 *
 * <p>{@link ZoRng#MEZO}: libtorch's generator of the step seed, drawn in that order. {@link ZoRng#PARALLEL}: the
 * counter-based stream of {@link CounterNormals}, each parameter's z its own slice of the step's stream (at the
 * parameter's offset in the flattened vector of the layout's parameters), drawn by {@link ParallelPerturbation}'s
 * threads; the order is still checked, so that both modes are driven the same way.
 */
final class PerturbationStream implements AutoCloseable {
    private final ParameterLayout layout;
    private final Rng rng;
    private final Map<String, Tensor> resident = new LinkedHashMap<>();
    private int nextBlock;
    private int nextInBlock;
    private boolean suffixDrawn;

    private final DType dtype;
    private final Device device;
    private final ParallelPerturbation parallel; // null: MeZO's stream
    private final Map<String, Long> offsets;
    private final long key;

    /** z of {@code dtype} on {@code device}, from that device's generator seeded with {@code seed}. */
    PerturbationStream(ParameterLayout layout, long seed, Device device, DType dtype) {
        this(layout, seed, device, dtype, null, null);
    }

    /**
     * z of step seed {@code seed}: MeZO's stream when {@code parallel} is null, else the counter-based stream drawn by
     * {@code parallel}'s threads ({@code offsets}: {@link ParameterLayout#offsets()}; fp32 on the CPU only).
     */
    PerturbationStream(ParameterLayout layout, long seed, Device device, DType dtype, ParallelPerturbation parallel,
                       Map<String, Long> offsets) {
        this.layout = layout;
        this.device = device;
        this.dtype = dtype;
        this.parallel = parallel;
        this.offsets = offsets;
        this.key = CounterNormals.key(seed);
        if (parallel != null && (device.isCuda() || dtype != DType.F32))
            throw new IllegalArgumentException("the parallel z stream draws fp32 on the CPU, not " + dtype + " on " + device);
        this.rng = parallel == null ? Rng.seeded("zo-z", seed, device) : null;
        drawResident(layout.prefix());
        skipEmptyBlocks();
    }

    /** Moves past blocks with nothing to draw; after the last block, draws the suffix. */
    private void skipEmptyBlocks() {
        while (nextBlock < layout.numBlocks() && layout.blocks().get(nextBlock).isEmpty()) nextBlock++;
        if (nextBlock == layout.numBlocks() && !suffixDrawn) {
            suffixDrawn = true;
            drawResident(layout.suffix());
        }
    }

    /** Whether this is {@link ZoRng#PARALLEL}'s stream. */
    boolean parallel() { return parallel != null; }

    /** A fresh z tensor of parameter {@code name}, in the caller's scope. */
    private Tensor fresh(String name) {
        if (parallel == null) return Tensors.randn(rng, dtype, device, layout.shape(name));
        Tensor z = Tensors.empty(dtype, device, layout.shape(name));
        parallel.fill(z, key, offsets.get(name));
        return z;
    }

    /**
     * Draws z of resident parameters, held by this stream only (outside the caller's scope), so that a tensor handed
     * out by {@link #takeResident} is freed as soon as its taker closes it.
     */
    private void drawResident(List<String> names) {
        try (Scope s = Scope.open()) {
            for (String n : names) resident.put(n, fresh(n).keep());
        }
    }

    /** z of block {@code i} (must be called for 0, 1, ... in order), in the caller's scope. */
    Map<String, Tensor> block(int i) {
        Map<String, Tensor> z = new LinkedHashMap<>();
        for (String n : layout.blocks().get(i)) z.put(n, draw(i, n));
        return z;
    }

    /**
     * z of parameter {@code name} of block {@code i}, in the caller's scope: parameters must be drawn exactly in
     * layout order (block by block, each block's in {@code named_parameters()} order). Drawing one tensor at a time
     * lets a caller free each z as soon as it is used.
     */
    Tensor draw(int i, String name) {
        return advance(inOrder(i, name), fresh(name));
    }

    /** Block {@code i}'s parameter list when {@code name} is the next to draw; throws otherwise. */
    private List<String> inOrder(int i, String name) {
        List<String> names = i == nextBlock ? layout.blocks().get(i) : null;
        if (names == null || !names.get(nextInBlock).equals(name)) throw new IllegalStateException("z must be drawn in"
                + " parameter order: expected block " + nextBlock + (nextBlock < layout.numBlocks() ? " "
                + layout.blocks().get(nextBlock).get(nextInBlock) : "") + ", got block " + i + " " + name);
        return names;
    }

    /**
     * Like {@link #draw(int, String)}, but fills {@code into} (this stream's dtype and device, contiguous, the
     * parameter's shape) in place and
     * returns it: the same values, since libtorch's {@code normal(0, 1, size)} is {@code empty(size).normal_(0, 1)}.
     */
    Tensor drawInto(int i, String name, Tensor into) {
        List<String> names = i == nextBlock ? layout.blocks().get(i) : null;
        if (names == null || !names.get(nextInBlock).equals(name)) return draw(i, name); // throws with the message
        if (parallel != null) {
            parallel.fill(into, key, offsets.get(name));
            return advance(names, into);
        }
        return advance(names, into.normalInPlace(0.0, 1.0, rng));
    }

    /**
     * {@link ZoRng#PARALLEL}'s fused pass over block {@code i}'s parameter {@code name} (its working tensor {@code p}):
     * the update of {@code prev}'s step (when {@code upd} is not null) and θ₊ = θ + zε of this step, z·ε written to
     * {@code zEps}; both streams advance past {@code name}. The same bits as {@code prev.drawInto}, {@link
     * Resident#update}, {@code drawInto}, {@code scaleInPlace(ε)}, {@code add_} (see {@link ParallelPerturbation}).
     */
    void updateAndPerturb(int i, String name, Tensor p, Tensor zEps, PerturbationStream prev, PendingUpdate upd,
                          ZoHyperparameters hp) {
        if (parallel == null || (prev != null && prev.parallel == null))
            throw new IllegalStateException("the fused pass needs the parallel z stream");
        List<String> names = inOrder(i, name);
        if (prev != null) prev.advance(prev.inOrder(i, name), null);
        parallel.updateAndPerturb(p, zEps, offsets.get(name), prev == null ? 0 : prev.key, prev == null ? null : upd,
                ZoHyperparameters.decays(name), hp, key);
        advance(names, zEps);
    }

    private Tensor advance(List<String> names, Tensor z) {
        if (++nextInBlock == names.size()) {
            nextInBlock = 0;
            nextBlock++;
            skipEmptyBlocks();
        }
        return z;
    }

    /** z of resident parameter {@code name}; suffix parameters only after the last block. */
    Tensor resident(String name) {
        Tensor z = resident.get(name);
        if (z == null) throw new IllegalStateException("z of " + name + " is not drawn yet (suffix parameters come after the blocks)");
        return z;
    }

    /** Like {@link #resident(String)}, but hands the tensor over: the caller closes it (frees it once used). */
    Tensor takeResident(String name) {
        Tensor z = resident(name);
        resident.remove(name);
        return z;
    }

    @Override
    public void close() {
        resident.values().forEach(Tensor::close);
        if (rng != null) rng.close();
        resident.clear();
    }
}
