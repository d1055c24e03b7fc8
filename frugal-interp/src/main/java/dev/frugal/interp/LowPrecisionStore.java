package dev.frugal.interp;

import dev.frugal.io.Checkpoint;
import dev.frugal.model.BlockSource;
import dev.frugal.model.CausalLM;
import dev.frugal.model.CheckpointMismatchException;
import dev.frugal.model.Models;
import dev.frugal.model.ParamGroup;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PAHQ's storage: a model's matrices held only in low precision while circuit discovery runs. Every matrix of the
 * model (projections, embedding tables, LM head) is replaced in the model by a one-element placeholder; what computes
 * with it instead:
 * <ul>
 *   <li>products of components not under investigation use {@link PatchedForward}'s low-precision copies (made
 *       before the drop);</li>
 *   <li>the per-head pieces of attention ({@code projectHead}, {@code outputHead}) of a block not under investigation
 *       read the block's attention matrices dequantized from a sliceable low-precision copy, put into the model for
 *       the duration of that block's forward ({@link #enter});</li>
 *   <li>the block of the component under investigation gets its float32 matrices back, read from the model's
 *       checkpoint, for as long as that block holds the investigated component; likewise the LM head, read whole
 *       when a forward first needs it in float32 (the output investigated) and released by the first forward that
 *       does not ({@link #releaseFullMatrix}); its products run over it in chunks of rows ({@link #fullProduct}).</li>
 * </ul>
 * {@link #close()} puts the float32 matrices back into the model, read from the checkpoint. Checkpoint reads map the
 * file only for the read: mapped pages that were touched count as resident memory until unmapped.
 */
final class LowPrecisionStore implements AutoCloseable {
    /** The most elements of the float32 matrix one chunk of a full-precision product uses. */
    static final long CHUNK_ELEMENTS = 4L << 20;
    private final CausalLM model;
    private final Precision precision;
    private final Path dir;
    private final boolean conv1d; // GPT-2: block matrices stored (in, out)
    private final Map<String, String> stored = new LinkedHashMap<>(); // model name → checkpoint name
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, ParamGroup> groups = new LinkedHashMap<>();
    private final List<List<String>> blockNames = new ArrayList<>(); // per block: its matrices
    private final Map<String, Low> sliceable = new LinkedHashMap<>(); // attention matrices of the blocks
    private final IdentityHashMap<Tensor, String> placeholders = new IdentityHashMap<>();
    private final java.util.Set<String> dropped = new java.util.HashSet<>(); // matrices whose float32 copy is gone
    private final boolean streamed; // the model came without its blocks (Models.loadCausalLMStreaming)
    private int fullBlock = -1;
    private boolean fullAttentionOnly; // the full block holds only its attention matrices in float32
    private String fullName; // the non-block matrix (the LM head) whose float32 copy is resident, or null
    private Tensor fullMatrix;
    /** The models whose float32 matrices a store holds, and that store. */
    private static final Map<CausalLM, LowPrecisionStore> HOLDERS = java.util.Collections.synchronizedMap(new IdentityHashMap<>());

    /** One matrix in low precision: int8 with per-output-channel scales, or bfloat16 (scale null). */
    private record Low(Tensor values, Tensor scale) {
        Tensor dequantized() {
            Tensor f = values.to(DType.F32);
            return scale == null ? f : f.mul(scale);
        }

        void close() {
            values.close();
            if (scale != null) scale.close();
        }
    }

    /**
     * Checks that {@code dir}'s checkpoint holds exactly {@code model}'s matrices; nothing is dropped yet ({@link
     * #drop}, {@link #finish}).
     *
     * @param dir the directory of the checkpoint {@code model} was loaded from; every matrix must be there, in the
     *            model's shape
     * @throws CheckpointMismatchException when the checkpoint lacks a matrix or holds it in another shape
     * @throws dev.frugal.UserInputException when {@code dir} holds no checkpoint
     */
    LowPrecisionStore(CausalLM model, Precision precision, Path dir) { this(model, precision, dir, null); }

    /**
     * The storage of a model loaded without its blocks ({@link Models#loadCausalLMStreaming}), so that its float32
     * blocks are never resident together: each block's vectors (norms, biases) are read from {@code dir} into its
     * group, and its matrices stand as placeholders from the start, read back only while the block runs in float32
     * ({@link #enter}). The loaded matrices outside the blocks (embedding tables, LM head) came from the same
     * checkpoint and are not compared again. {@link #close()} leaves the blocks' groups empty again, as loaded.
     *
     * @param dir the directory {@code s} was loaded from
     */
    static LowPrecisionStore streamed(Models.Streamed s, Precision precision, Path dir) {
        return new LowPrecisionStore(s.model(), precision, dir, s.blocks());
    }

    private LowPrecisionStore(CausalLM model, Precision precision, Path dir, BlockSource source) {
        if (precision == Precision.FP32) throw new IllegalArgumentException("float32 needs no low-precision store");
        if (!Files.isRegularFile(dir.resolve(Checkpoint.SINGLE)) && !Files.isRegularFile(dir.resolve(Checkpoint.INDEX)))
            throw new dev.frugal.UserInputException("PAHQ keeps only low-precision weights in memory and reads float32"
                    + " back from the model's checkpoint, but " + dir + " holds no " + Checkpoint.SINGLE + " or "
                    + Checkpoint.INDEX + ": save the model there first (Models.save)");
        if (HOLDERS.containsKey(model)) throw new IllegalStateException("another PAHQ run holds this model's float32"
                + " weights: close it first");
        this.model = model;
        this.precision = precision;
        this.dir = dir;
        this.conv1d = model.config().modelType().equals("gpt2");
        this.streamed = source != null;
        List<ParamGroup> blocks = model.blockParams();
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            for (ParamGroup g : model.stages()) {
                int block = blocks.indexOf(g);
                if (block >= 0 && streamed) {
                    while (blockNames.size() <= block) blockNames.add(new ArrayList<>());
                    for (var e : source.shapes(block).entrySet()) {
                        String n = e.getKey();
                        String s = storedName(ckpt, n);
                        if (e.getValue().length != 2) {
                            try (Scope sc = Scope.open()) { // the group keeps it
                                g.put(n, ckpt.tensor(s, DType.F32).to(model.device()));
                            }
                            continue;
                        }
                        stored.put(n, s);
                        shapes.put(n, e.getValue().clone());
                        groups.put(n, g);
                        blockNames.get(block).add(n);
                        putPlaceholder(n);
                    }
                    continue;
                }
                for (var e : g.asMap().entrySet()) {
                    if (e.getValue().dim() != 2) continue;
                    String n = e.getKey();
                    String s = storedName(ckpt, n);
                    long[] shape = e.getValue().shape();
                    if (!Arrays.equals(ckpt.info(s).shape(), shape)) throw new CheckpointMismatchException(dir, "'" + s
                            + "' is " + Arrays.toString(ckpt.info(s).shape()) + " but the model's " + n + " is "
                            + Arrays.toString(shape) + ": point PAHQ at the checkpoint the model was loaded from");
                    stored.put(n, s);
                    shapes.put(n, shape);
                    groups.put(n, g);
                    if (block >= 0) {
                        while (blockNames.size() <= block) blockNames.add(new ArrayList<>());
                        blockNames.get(block).add(n);
                    }
                }
            }
            if (!streamed) for (String n : stored.keySet()) requireSame(ckpt, n, groups.get(n).get(n));
        }
    }

    /**
     * Drops block {@code layer}'s float32 matrices (after making the sliceable copies of its attention matrices): called
     * as soon as the block's low-precision products exist, so that the model is never held in float32 and low
     * precision at once.
     */
    void drop(int layer) {
        if (layer >= blockNames.size()) return;
        boolean any = false;
        for (String n : blockNames.get(layer)) {
            if (!dropped.add(n)) continue;
            if (n.contains("attn"))
                try (Scope s = Scope.open()) { // one matrix's temporaries at a time
                    sliceable.put(n, lowCopy(groups.get(n).get(n)));
                }
            putPlaceholder(n);
            any = true;
        }
        if (any && layer == fullBlock) fullBlock = -1; // read back for the copies' forward, now gone again
        // the freed matrices back to the system before the next block's copies
        if (any) dev.frugal.tensor.NativeMemory.trim();
    }

    /**
     * Replaces every block's float32 matrices by placeholders (they are not dropped yet: {@link #enter} reads a block
     * back, {@link #drop} makes its copies), handing the memory back to the system.
     */
    void releaseBlocks() {
        for (List<String> names : blockNames) for (String n : names) putPlaceholder(n);
        dev.frugal.tensor.NativeMemory.trim();
    }

    /** Drops the float32 matrices outside the blocks (embedding tables, LM head), handing the memory back. */
    void dropOutsideBlocks() {
        for (String n : stored.keySet())
            if (!isBlockMatrix(n) && dropped.add(n)) putPlaceholder(n);
        dev.frugal.tensor.NativeMemory.trim();
    }

    /** From now on holds the model: its other users are refused until {@link #close()}. */
    void hold() { HOLDERS.put(model, this); }

    /** Drops every float32 matrix not dropped yet (embedding tables, LM head) and holds the model ({@link #hold}). */
    void finish() {
        for (int l = 0; l < blockNames.size(); l++) drop(l);
        if (fullBlock >= 0) { // the last block the caches read back
            for (String n : blockNames.get(fullBlock)) putPlaceholder(n);
            fullBlock = -1;
        }
        for (String n : stored.keySet())
            if (dropped.add(n)) putPlaceholder(n);
        hold();
        dev.frugal.tensor.NativeMemory.trim(); // the freed float32 matrices back to the system, wherever they were
    }

    /** Whether {@link #finish} ran: only low-precision copies are left (the embedding tables included). */
    boolean finished() { return dropped.containsAll(stored.keySet()); }

    /**
     * Refuses a forward of {@code model} by anyone but {@code self} while a PAHQ run holds its float32 matrices.
     *
     * @throws IllegalStateException naming what to do
     */
    static void requireNotHeld(CausalLM model, LowPrecisionStore self) {
        LowPrecisionStore s = HOLDERS.get(model);
        if (s != null && s != self) throw new IllegalStateException("this model's float32 weights are held by an open"
                + " PAHQ run (precision int8 or bf16), which keeps only low-precision copies in memory: close that"
                + " AcdcRun (or PatchedForward) before running the model elsewhere");
    }

    /**
     * Refuses a model whose weight {@code n} differs from the checkpoint's: float32 read back later would not be the
     * model's. The comparison releases the pages it reads ({@link Checkpoint#matches}).
     */
    private void requireSame(Checkpoint ckpt, String n, Tensor w) {
        if (!ckpt.matches(stored.get(n), w)) throw new CheckpointMismatchException(dir, "'" + stored.get(n)
                + "' differs from the model's " + n + " (was the model changed after loading?): PAHQ reads float32"
                + " weights back from the checkpoint, so save the model there first (Models.save)");
    }

    /** The checkpoint's name of model parameter {@code n}, as the model's architecture spells it there. */
    private String storedName(Checkpoint ckpt, String n) {
        String s = model.storedName(ckpt, n);
        if (ckpt.contains(s)) return s;
        throw new CheckpointMismatchException(dir, "has no tensor '" + n + "': PAHQ reads float32 weights back from the"
                + " checkpoint the model was loaded from; point it at that directory");
    }

    private Low lowCopy(Tensor w) {
        if (precision == Precision.BF16) return new Low(w.to(DType.BF16).keep(), null);
        int in = conv1d ? 0 : 1; // the input dimension: one scale per output channel
        Tensor scale = dev.frugal.tensor.Int8Linear.scales(w, in);
        Tensor q = w.div(scale).round().clamp(-127, 127).to(DType.I8);
        return new Low(q.keep(), scale.keep());
    }

    /** The model parameter a placeholder stands for, or null when {@code w} is not one. */
    String placeholderName(Tensor w) { return placeholders.get(w); }

    /**
     * Before block {@code layer} runs: its float32 matrices from the checkpoint when {@code full} (kept until another
     * block is full), else its attention matrices dequantized from their low-precision copies.
     */
    void enter(int layer, boolean full) { enter(layer, full, false); }

    /**
     * As {@link #enter(int, boolean)}; with {@code attentionOnly} a full block reads only its attention matrices in
     * float32 (a head under investigation: the block's MLP runs from its low-precision copies either way), and its
     * MLP matrices stay placeholders.
     */
    void enter(int layer, boolean full, boolean attentionOnly) {
        if (full) {
            if (fullBlock == layer) {
                if (fullAttentionOnly == attentionOnly) return;
                if (attentionOnly) { // the MLP's float32 matrices are no longer needed
                    for (String n : blockNames.get(layer)) if (!isAttention(n)) putPlaceholder(n);
                    dev.frugal.tensor.NativeMemory.trim();
                } else readBack(layer, n -> !isAttention(n));
                fullAttentionOnly = attentionOnly;
                return;
            }
            if (fullBlock >= 0) {
                int old = fullBlock;
                fullBlock = -1;
                for (String n : blockNames.get(old)) putPlaceholder(n);
            }
            readBack(layer, n -> !attentionOnly || isAttention(n));
            fullBlock = layer;
            fullAttentionOnly = attentionOnly;
            return;
        }
        if (layer == fullBlock) { // no longer investigated: back to low precision
            fullBlock = -1;
            for (String n : blockNames.get(layer)) putPlaceholder(n);
        }
        try (Scope s = Scope.open()) {
            for (String n : blockNames.get(layer)) {
                Low l = sliceable.get(n);
                if (l != null) put(n, l.dequantized());
            }
        }
    }

    /** Gives back the float32 matrices of the block read back last (the caches' forwards end with one). */
    void releaseFullBlock() {
        if (fullBlock < 0) return;
        for (String n : blockNames.get(fullBlock)) putPlaceholder(n);
        fullBlock = -1;
        dev.frugal.tensor.NativeMemory.trim();
    }

    /** Block {@code layer}'s float32 matrices that {@code which} selects, read from the checkpoint into the model. */
    private void readBack(int layer, java.util.function.Predicate<String> which) {
        try (Checkpoint ckpt = Checkpoint.open(dir); Scope s = Scope.open()) {
            for (String n : blockNames.get(layer))
                if (which.test(n)) put(n, ckpt.tensor(stored.get(n), DType.F32).to(model.device()));
        }
    }

    /** Whether block matrix {@code n} belongs to the attention (GPT-2 {@code attn.}, OPT/Llama {@code self_attn.}). */
    private static boolean isAttention(String n) { return n.contains("attn"); }

    /** Whether block matrix {@code n} is resident in float32 because its block is the full one. */
    private boolean fullResident(String n) {
        return fullBlock >= 0 && blockNames.get(fullBlock).contains(n) && (!fullAttentionOnly || isAttention(n));
    }

    /** After block {@code layer} ran: its dequantized matrices are released (a full block stays). */
    void leave(int layer) {
        if (layer == fullBlock) return;
        for (String n : blockNames.get(layer)) if (sliceable.containsKey(n)) putPlaceholder(n);
    }

    /**
     * {@code x (…, in) @ W^T (+ bias)} with the float32 matrix {@code name (out, in)} (the LM head of an investigated
     * output), in chunks of at most {@code elements} of the matrix (rows at a time).
     */
    Tensor fullProduct(String name, Tensor x, Tensor bias, long elements) {
        List<Tensor> parts = new ArrayList<>();
        forEachProductChunk(name, x, bias, elements, (start, part) -> parts.add(part.keep()));
        Tensor out = Tensors.cat(parts, -1);
        parts.forEach(Tensor::close);
        return out;
    }

    /** What receives one chunk of a product's output columns. */
    interface ProductChunk {
        /** {@code part (…, n)}: output columns {@code start .. start+n-1}; valid until this call returns. */
        void accept(long start, Tensor part);
    }

    /**
     * {@code x (…, in) @ W^T (+ bias)} with the float32 matrix {@code name (out, in)}, in chunks of at most {@link
     * #CHUNK_ELEMENTS} elements, each chunk's output handed to {@code sink} in turn, so the whole output is never
     * resident. The matrix is read from the checkpoint on first use and then stays resident, like the investigated
     * block's, until {@link #releaseFullMatrix}: the output's edges are tested one after another, and reading the
     * LM head's pages back for every forward (faulting them in, then releasing them) took twice the time of the
     * products themselves.
     */
    void forEachProductChunk(String name, Tensor x, Tensor bias, ProductChunk sink) {
        forEachProductChunk(name, x, bias, CHUNK_ELEMENTS, sink);
    }

    /** As {@link #forEachProductChunk(String, Tensor, Tensor, ProductChunk)}, in chunks of at most {@code elements}. */
    void forEachProductChunk(String name, Tensor x, Tensor bias, long elements, ProductChunk sink) {
        long[] shape = shapes.get(name);
        long rows = Math.max(1, elements / shape[1]);
        Tensor w = fullMatrix(name);
        for (long r = 0; r < shape[0]; r += rows) {
            long start = r, n = Math.min(rows, shape[0] - r);
            try (Scope s = Scope.open()) {
                sink.accept(start, NN.linear(x, w.narrow(0, start, n), bias == null ? null : bias.narrow(0, start, n)));
            }
        }
    }

    /** The resident float32 copy of non-block matrix {@code name}, read from the checkpoint if it is not there. */
    private Tensor fullMatrix(String name) {
        if (!dropped.contains(name)) return groups.get(name).get(name); // still the model's (a streamed set-up)
        if (name.equals(fullName)) return fullMatrix;
        releaseFullMatrix();
        try (Checkpoint ckpt = Checkpoint.open(dir); Scope s = Scope.open()) {
            fullMatrix = ckpt.tensor(stored.get(name), DType.F32).to(model.device()).keep();
        }
        fullName = name;
        return fullMatrix;
    }

    /**
     * The name of {@code w} when it is one of the model's own float32 matrices outside the blocks (the LM head before
     * {@link #finish} dropped it), else null.
     */
    String residentName(Tensor w) {
        for (var e : groups.entrySet())
            if (!dropped.contains(e.getKey()) && !isBlockMatrix(e.getKey()) && e.getValue().contains(e.getKey())
                    && e.getValue().get(e.getKey()) == w) return e.getKey();
        return null;
    }

    private boolean isBlockMatrix(String n) {
        for (List<String> names : blockNames) if (names.contains(n)) return true;
        return false;
    }

    /** The non-block matrix whose float32 copy is resident, or null. */
    String residentFullMatrix() { return fullName; }

    /**
     * Frees the resident float32 copy of the LM head, if any: called before every forward that does not investigate
     * the output (a no-op when none is resident).
     */
    void releaseFullMatrix() {
        if (fullMatrix == null) return;
        fullMatrix.close();
        fullMatrix = null;
        fullName = null;
    }

    private void put(String n, Tensor t) {
        ParamGroup g = groups.get(n);
        if (g.contains(n)) placeholders.remove(g.get(n));
        g.put(n, t);
    }

    private void putPlaceholder(String n) {
        try (Scope s = Scope.open()) { // the group keeps it
            Tensor p = Tensors.empty(DType.F32, model.device(), 1);
            put(n, p);
            placeholders.put(p, n);
        }
    }

    /** Bytes held in low precision (the sliceable copies; the products' copies are {@link PatchedForward}'s). */
    long sliceableBytes() {
        long b = 0;
        for (Low l : sliceable.values()) b += l.values().numel() * (precision == Precision.BF16 ? 2 : 1);
        return b;
    }

    /**
     * Puts every float32 matrix back into the model, read from the checkpoint (the low-precision copies go first). A
     * model loaded without its blocks ({@link #streamed}) gets its embedding tables and LM head back and its blocks'
     * groups emptied, as it was loaded.
     */
    @Override
    public void close() {
        releaseFullMatrix();
        for (Low l : sliceable.values()) l.close();
        sliceable.clear();
        try (Checkpoint ckpt = Checkpoint.open(dir); Scope s = Scope.open()) {
            if (streamed) for (ParamGroup g : model.blockParams()) {
                for (String n : g.names()) placeholders.remove(g.get(n));
                g.clear();
            }
            for (var e : stored.entrySet()) { // placeholders, and dequantized matrices a failed forward left behind
                if (streamed && isBlockMatrix(e.getKey())) continue;
                if ((dropped.contains(e.getKey()) || placeholders.containsValue(e.getKey())) && !fullResident(e.getKey()))
                    put(e.getKey(), ckpt.tensor(e.getValue(), DType.F32).to(model.device()));
            }
        } finally {
            HOLDERS.remove(model, this);
            dropped.clear();
            fullBlock = -1;
        }
    }
}
