package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import dev.frugal.model.AttentionParts;
import dev.frugal.model.BlockSource;
import dev.frugal.model.CausalLM;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.LayerOps;
import dev.frugal.model.LmLoss;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.NativeMemory;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * ZO-SGD for a decoder larger than memory: every parameter (blocks, embedding and head alike) lives on disk, one file
 * each, and is brought in one tensor, or one chunk of rows, at a time, for as long as one operation needs it. Nothing
 * model-sized is ever resident: not a block, not the embedding, not a z.
 *
 * <p>Both perturbed forwards run as one batch of 2B rows, the first B at θ₊ = θ + εz and the last B at θ₋ = θ − εz,
 * through a {@link LayerOps} that, when the forward reaches a parameter, runs one fused pass over its stored values
 * ({@link ParallelPerturbation#streamed}): the pending update of the previous step applied, θ₊ and θ₋ written into two
 * working buffers, and θ restored by MeZO's third shift written back in the storage dtype. Each operation then uses θ₊
 * for the first B rows and θ₋ for the last B; operations without parameters see the 2B rows as one batch (elementwise,
 * so per row the same). Every element's z depends only on the step key and the element's offset
 * ({@link ZoRng#PARALLEL}'s counter-based stream), so each parameter is visited once per step and z drawn once (twice
 * with the pending update's), in any order and any chunking. The embedding's rows for the batch's tokens are computed
 * on the fly without writing (the tied LM head's pass over the whole table writes them back later), and a weight
 * larger than the chunk (the LM head, OPT-6.7B's MLP) is multiplied chunk of rows by chunk of rows.
 *
 * <p>Resident parameters (embedding, positions, final norm) are stored in fp32, the blocks in the storage dtype: per
 * element the arithmetic is that of {@link Zo2Engine} on the disk tier with the parallel stream, so the losses,
 * projected gradients and parameters equal its bit for bit when no matrix is cut into chunks (a test holds it to that
 * on the fixtures' OPT models); a product computed chunk by chunk of rows rounds differently in OpenBLAS's kernels
 * for fewer output columns, by float32 ulps.
 *
 * <p>A disk thread ({@link StreamIo}) reads ahead along the previous step's order and writes behind.
 *
 * <p>Scope: frugal's decoders (OPT, GPT-2, Llama, Qwen3: every parameter reached through {@link LayerOps}'s
 * linear, conv1d, norms and embedding), unpadded batches, every parameter tuned, one perturbation per step, the parallel
 * stream. Memory: six buffers of the chunk's size (two reads, two writes, θ₊, θ₋) plus activations; the work per
 * step: one read and one write of every stored byte and two draws per element.
 */
public final class DiskStreamEngine implements ZoEngine<LmBatch> {
    /** Default chunk: 16 Mi elements (64 MB per fp32 buffer). */
    public static final long DEFAULT_CHUNK = 1L << 24;

    /**
     * Where one step's time went, in seconds. On the compute thread: {@code perturb} (the fused passes),
     * {@code compute} (matrix products, attention, norms), {@code ioWait} (waiting for the disk thread) and
     * {@code other} (copies, elementwise ops, the loss), which add up to {@code step}. On the disk thread, overlapping
     * them: {@code read} and {@code write}.
     */
    public record Phases(double step, double read, double write, double perturb, double compute, double ioWait,
                         double other, long bytesRead) {
        /** The step's bound: the largest of compute, disk read and perturbation. */
        public double bound() { return Math.max(compute, Math.max(read, perturb)); }
    }

    private final StagedModel model;
    private final CausalLM lm;
    private final ZoHyperparameters hp;
    private final DType storage;
    private final ParameterLayout layout;
    private final Map<String, Long> offsets;
    private final ParameterFiles files;
    private final ParallelPerturbation parallel;
    private final long elems; // buffer size in elements
    private final Arena arena = Arena.ofShared();
    private final StreamIo io;
    private final MemorySegment plusBuf;
    private final MemorySegment minusBuf;
    private final Map<Long, String> placeholderNames = new HashMap<>();
    private final List<Tensor> placeholders = new ArrayList<>();
    private final Set<String> visited = new HashSet<>();
    private final DualOps ops = new DualOps();
    private final PlainOps plainOps = new PlainOps();
    private PendingUpdate pending;
    // the step in progress
    private PendingUpdate upd;
    private long prevKey;
    private long curKey;
    private long half;
    private long perturbNanos;
    private long computeNanos;
    private Phases last;

    /**
     * Moves {@code model}'s resident parameters and {@code blocks}' parameters (taken one block at a time) to files in
     * {@code dir}: resident ones in fp32, block ones in {@code storage}; the model keeps placeholders.
     *
     * @param model  a decoder whose embedding and head are loaded; its block groups empty or holding the
     *               blocks {@code blocks} takes
     * @param chunk  the most elements materialised at once per perturbed copy (raised to a row of the widest matrix)
     * @throws InvalidSettingException when the model, stream, tuned set, samples or storage dtype is not supported
     */
    public DiskStreamEngine(StagedModel model, BlockSource blocks, ZoHyperparameters hp, DType storage, Path dir,
                            long chunk) {
        if (!(model instanceof CausalLM c) || !dev.frugal.model.Models.DECODER_TYPES.contains(model.config().modelType()))
            throw new InvalidSettingException("model", "(" + model.config().modelType() + ") is not supported by the"
                    + " disk-streamed engine: it runs the decoders " + dev.frugal.model.Models.DECODER_TYPES
                    + "; use the ZO2 engine (Zo2Engine) for others");
        if (hp.rng() != ZoRng.PARALLEL) throw new InvalidSettingException("rng", "must be parallel for the"
                + " disk-streamed engine: it draws z for any chunk of any parameter, which MeZO's sequential stream cannot");
        if (!hp.tuned().isAll()) throw new InvalidSettingException("tuned", "(" + hp.tuned() + ") is not supported by"
                + " the disk-streamed engine: it tunes every parameter; use all");
        if (hp.samples() != 1) throw new InvalidSettingException("samples", "must be 1 for the disk-streamed engine, got "
                + hp.samples());
        if (storage != DType.F32 && storage != DType.BF16) throw new InvalidSettingException("storage", "must be fp32"
                + " or bf16 for the disk-streamed engine, got " + storage);
        if (chunk < 1) throw new IllegalArgumentException("chunk must be >= 1, got " + chunk);
        if (model.device().isCuda()) throw new InvalidSettingException("device", "must be the CPU for the disk-streamed engine");
        this.model = model;
        this.storage = storage;
        this.lm = c;
        this.hp = hp;
        this.layout = ParameterLayout.of(model, blocks);
        this.offsets = layout.offsets();
        long widest = 1;
        for (String n : layout.names()) {
            long[] s = layout.shape(n);
            widest = Math.max(widest, s.length == 1 ? s[0] : Tensors.numel(s) / s[0]);
        }
        this.elems = Math.max(chunk, widest);
        long needed = 0;
        for (String n : layout.resident()) needed += Tensors.numel(layout.shape(n)) * 4L;
        for (List<String> block : layout.blocks())
            for (String n : block) needed += Tensors.numel(layout.shape(n)) * storage.bytes();
        requireSpace(dir, needed, usableSpace(dir));
        // the big buffers are the arena's, fixed; what libtorch allocates is activations of 2B rows (MBs): reusing freed
        // ones saves a page fault per touched page (unless the program chose a policy first)
        if (NativeMemory.policy() == NativeMemory.Policy.DEFAULT) NativeMemory.reuseFreedMemory();
        ParameterFiles f = null;
        StreamIo disk = null;
        try {
            // one buffer while the loaded fp32 parameters (the embedding: 824 MB at OPT-6.7B's shapes) go to disk; the
            // other five (zeroed, so resident at once: 64 MB each) once those are freed
            MemorySegment first = buffer(elems);
            f = new ParameterFiles(dir);
            for (String n : layout.resident()) {
                f.create(n, model.parameter(n), DType.F32, first, elems);
                groupOf(n).put(n, placeholder(n)); // frees the resident tensor
            }
            MemorySegment[] reads = {buffer(elems), buffer(elems)}, writes = {first, buffer(elems)};
            this.plusBuf = buffer(elems);
            this.minusBuf = buffer(elems);
            disk = new StreamIo(f, reads, writes);
            List<ParamGroup> groups = model.blockParams();
            ParameterFiles files = f;
            for (int i = 0; i < blocks.numBlocks(); i++) {
                ParamGroup g = groups.get(i);
                // a tensor at a time where the source can (a checkpoint): a block is never whole in fp32 here
                blocks.forEachTensor(i, (n, t) -> {
                    files.create(n, t, storage, writes[0], elems);
                    g.put(n, placeholder(n));
                });
            }
        } catch (RuntimeException e) {
            if (disk != null) disk.close();
            if (f != null) f.close();
            placeholders.forEach(Tensor::close);
            arena.close();
            throw e;
        }
        this.files = f;
        this.io = disk;
        this.parallel = new ParallelPerturbation(dev.frugal.tensor.Threads.cores());
    }

    /**
     * Refuses, before anything is written, a directory whose file system has less than {@code needed} bytes free.
     *
     * @throws dev.frugal.UserInputException naming the directory, what is needed and what is free
     */
    static void requireSpace(Path dir, long needed, long usable) {
        if (usable >= 0 && usable < needed) throw new dev.frugal.UserInputException("the offload directory " + dir
                + " has " + usable / 1_000_000 + " MB free, and the model needs " + needed / 1_000_000 + " MB on disk:"
                + " free space there or choose another directory");
    }

    /** Free bytes of the file system {@code dir} (or its nearest existing parent) is on; −1 when unknown. */
    private static long usableSpace(Path dir) {
        try {
            Path p = dir.toAbsolutePath();
            while (p != null && !java.nio.file.Files.exists(p)) p = p.getParent();
            return p == null ? -1 : java.nio.file.Files.getFileStore(p).getUsableSpace();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** With {@link #DEFAULT_CHUNK}. */
    public DiskStreamEngine(StagedModel model, BlockSource blocks, ZoHyperparameters hp, DType storage, Path dir) {
        this(model, blocks, hp, storage, dir, DEFAULT_CHUNK);
    }

    /**
     * {@code n} floats from the engine's arena, as a segment without the arena's liveness checks (the arena outlives
     * every use): the fused passes' element loops would otherwise check a shared session on every access.
     */
    private MemorySegment buffer(long n) {
        return MemorySegment.ofAddress(arena.allocate(n * 4, 64).address()).reinterpret(n * 4);
    }

    private Tensor placeholder(String name) {
        try (Scope s = Scope.open()) {
            Tensor t = Tensors.empty(DType.F32, Device.CPU, 1).keep();
            placeholders.add(t);
            placeholderNames.put(t.dataAddress(), name);
            return t;
        }
    }

    private String nameOf(Tensor placeholder) {
        String n = placeholderNames.get(placeholder.dataAddress());
        if (n == null) throw new IllegalStateException("a parameter reached the forward outside the engine's ops");
        return n;
    }

    private ParamGroup groupOf(String name) {
        for (ParamGroup g : model.stages()) if (g.contains(name)) return g;
        throw new IllegalStateException("no stage holds " + name);
    }

    /** Bytes on disk. */
    public long storedBytes() { return files.storedBytes(); }

    /** Elements materialised at most per perturbed copy (the chunk, raised to the widest row). */
    public long chunkElements() { return elems; }

    /**
     * Whether the disk thread reads ahead and writes behind while the compute thread works (the default), or every
     * read and write is waited for (see {@link StreamIo#overlap}). The numbers are the same either way.
     */
    public DiskStreamEngine overlapDisk(boolean on) {
        io.overlap(on);
        return this;
    }

    /** Reads so far that the disk thread had done ahead, and all reads (the test's view of the read-ahead). */
    long[] readAhead() { return new long[] {io.hits(), io.requests()}; }

    /** Where the last step's time went (null before the first step). */
    public Phases lastPhases() { return last; }

    /** Whether an update is waiting to be applied (by the next step or {@link #flush()}). */
    public boolean hasPendingUpdate() { return pending != null; }

    /** Step {@code t} with the seed derived from the run seed; its update stays pending. */
    public ZoStep step(long t, LmBatch batch) {
        if (batch.mask() != null) throw new IllegalArgumentException("the disk-streamed engine takes unpadded batches"
                + " (mask null): pad-free sequences of one length");
        long seed = hp.stepSeed(t);
        long b = batch.inputIds().size(0), len = batch.inputIds().size(1);
        long t0 = System.nanoTime();
        double r0 = files.readSeconds(), w0 = files.writeSeconds(), io0 = io.waitSeconds();
        long bytes0 = files.bytesRead(), p0 = perturbNanos, c0 = computeNanos;
        io.beginPlannedPass();
        upd = pending;
        pending = null; // applied by this pass once it writes a parameter, whatever happens next
        prevKey = upd == null ? 0 : CounterNormals.key(upd.seed());
        curKey = CounterNormals.key(seed);
        half = b;
        visited.clear();
        double lossPlus, lossMinus;
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            ForwardContext ctx = new ForwardContext(2 * b, len, null, null, ops, true, Device.CPU);
            Tensor ids = Tensors.cat(List.of(batch.inputIds(), batch.inputIds()), 0); // (2B, T): B at θ₊, B at θ₋
            Tensor h = trunk(ids, ctx);
            try (Scope hs = Scope.open()) {
                Tensor logits = lm.head(h, ctx); // (2B, T, V)
                lossPlus = LmLoss.causal(logits.narrow(0, 0, b), batch.labels()).itemDouble();
                lossMinus = LmLoss.causal(logits.narrow(0, b, b), batch.labels()).itemDouble();
            }
            h.close();
            for (String n : layout.names()) if (!visited.contains(n)) writeBack(n, true); // e.g. the positions
        } catch (RuntimeException e) {
            // refused before any parameter was written (token ids outside the vocabulary, a sequence longer than the
            // positions): the engine is as it was, its update still pending
            if (visited.isEmpty()) pending = upd;
            throw e;
        } finally {
            upd = null;
            io.endPlannedPass(); // every write done
        }
        long end = System.nanoTime();
        double read = files.readSeconds() - r0, write = files.writeSeconds() - w0, wait = io.waitSeconds() - io0;
        double perturb = (perturbNanos - p0) / 1e9, compute = (computeNanos - c0) / 1e9, step = (end - t0) / 1e9;
        last = new Phases(step, read, write, perturb, compute, wait, step - perturb - compute - wait,
                files.bytesRead() - bytes0);
        if (!Double.isFinite(lossPlus) || !Double.isFinite(lossMinus))
            throw new NonFiniteLossException(t, lossPlus, lossMinus);
        double grad = MezoReference.projectedGradient(lossPlus, lossMinus, hp.eps());
        pending = new PendingUpdate(seed, grad, hp.lr());
        return new ZoStep(t, seed, lossPlus, lossMinus, grad, hp.lr());
    }

    /** Applies the pending update to every stored parameter; a no-op when nothing is pending. */
    public void flush() {
        if (pending == null) return;
        upd = pending;
        prevKey = CounterNormals.key(upd.seed());
        visited.clear();
        try {
            for (String n : layout.names()) writeBack(n, false);
        } finally {
            io.drain();
            upd = null;
            pending = null;
        }
    }

    /**
     * The loss of {@code batch} at the current parameters (flushes first): one plain forward, each parameter read
     * chunk by chunk as for a step but neither perturbed nor written. The same bits as {@link Zo2Engine#loss} on the
     * same parameters when no matrix is chunked. Padded batches are allowed here.
     */
    public double loss(LmBatch batch) {
        flush();
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            ForwardContext ctx = new ForwardContext(batch.inputIds().size(0), batch.inputIds().size(1), batch.mask(),
                    null, plainOps, true, Device.CPU);
            Tensor h = trunk(batch.inputIds(), ctx);
            double loss = LmLoss.causal(lm.head(h, ctx), batch.labels()).itemDouble();
            h.close();
            return loss;
        }
    }

    /** The embedding and every block on {@code ids} through {@code ctx}'s ops: the final hidden states, kept. */
    private Tensor trunk(Tensor ids, ForwardContext ctx) {
        Tensor h = lm.embed(ids, ctx).keep();
        for (int i = 0; i < layout.numBlocks(); i++) {
            try (Scope bs = Scope.open()) {
                Tensor next = model.block(i, h, ctx).keep();
                h.close();
                h = next;
            }
        }
        return h;
    }

    /** Elements {@code from .. from+n−1} of {@code name} as stored (fp32) into {@code dst}: read, nothing written. */
    private void plain(String name, long from, long n, MemorySegment dst) {
        boolean bf16 = files.dtype(name) == DType.BF16;
        MemorySegment src = io.read(name, from, n);
        parallel.streamed(src, bf16, dst, null, null, false, offsets.get(name) + from, n, 0, null, false, hp, 0, false);
    }

    /** Parameter {@code name} as an fp32 tensor in the caller's scope (flushes first). */
    public Tensor parameter(String name) {
        flush();
        return stored(name);
    }

    /** Parameter {@code name} as stored, in fp32, read chunk by chunk into a fresh tensor in the caller's scope. */
    private Tensor stored(String name) {
        Tensor t = Tensors.empty(DType.F32, Device.CPU, files.shape(name));
        long numel = files.numel(name);
        MemorySegment seg = segment(t);
        for (long from = 0; from < numel; from += elems) plain(name, from, Math.min(elems, numel - from), seg.asSlice(from * 4));
        return t;
    }

    /** Every parameter name, in {@code named_parameters()} order. */
    public List<String> parameterNames() { return layout.names(); }

    @Override
    public ZoHyperparameters hyperparameters() { return hp; }

    /** One plain forward per batch ({@link #loss}), parameters read from disk each time, averaged. */
    @Override
    public double meanLoss(List<LmBatch> batches) {
        return batches.stream().mapToDouble(this::loss).average().orElse(Double.NaN);
    }

    /** The dtype of the blocks on disk (the embedding, positions and norms are stored in fp32). */
    @Override
    public DType storageDtype() { return storage; }

    /** Every parameter in fp32, as {@link #parameter} gives it. */
    @Override
    public List<dev.frugal.io.SafetensorsWriter.Entry> checkpointLayout(StagedModel m) {
        List<dev.frugal.io.SafetensorsWriter.Entry> out = new ArrayList<>();
        for (String n : m.parameterNames()) out.add(new dev.frugal.io.SafetensorsWriter.Entry(n, DType.F32, files.shape(n)));
        return out;
    }

    /**
     * Each parameter read from disk in fp32, one at a time; one larger than a chunk goes a chunk at a time ({@link
     * dev.frugal.io.SafetensorsWriter.TensorSink#putPart}), so that no parameter is ever whole in fp32 in memory (at
     * OPT-6.7B's shapes the embedding alone is 824 MB in fp32).
     */
    @Override
    public void writeParameters(StagedModel m, dev.frugal.io.SafetensorsWriter.TensorSink sink) {
        if (hasPendingUpdate()) throw new IllegalStateException("an update is pending: flush() first");
        for (String n : m.parameterNames())
            try (Scope s = Scope.open()) {
                long numel = files.numel(n);
                if (numel <= elems) {
                    sink.put(n, stored(n));
                    continue;
                }
                Tensor buf = Tensors.empty(DType.F32, Device.CPU, elems);
                MemorySegment seg = segment(buf);
                for (long from = 0; from < numel; from += elems) {
                    long k = Math.min(elems, numel - from);
                    plain(n, from, k, seg);
                    sink.putPart(n, from, k == elems ? buf : buf.narrow(0, 0, k));
                }
            }
    }

    /**
     * The pass of elements {@code from .. from+n−1} of {@code name}: read, pending update, θ₊ to {@code plus} and θ₋
     * to {@code minus} (either may be null) when {@code perturb}, the final θ written back.
     */
    private void pass(String name, long from, long n, MemorySegment plus, MemorySegment minus, boolean perturb) {
        if (from == 0 && !visited.add(name)) throw new IllegalStateException("parameter " + name + " is used twice"
                + " in one forward: the disk-streamed engine visits each parameter once per step");
        boolean bf16 = files.dtype(name) == DType.BF16;
        MemorySegment src = io.read(name, from, n), dst = io.writeBuffer();
        long t0 = System.nanoTime();
        parallel.streamed(src, bf16, plus, minus, dst, bf16, offsets.get(name) + from, n, prevKey, upd,
                ZoHyperparameters.decays(name), hp, curKey, perturb);
        perturbNanos += System.nanoTime() - t0;
        io.write(name, from, n);
    }

    /** A whole parameter through {@link #pass} chunk by chunk, its θ₊ and θ₋ not kept. */
    private void writeBack(String name, boolean perturb) {
        long numel = files.numel(name);
        for (long from = 0; from < numel; from += elems) pass(name, from, Math.min(elems, numel - from), null, null, perturb);
    }

    /** θ₊ and θ₋ of elements {@code from .. from+n−1} of a small parameter as fresh tensors {@code (n)}. */
    private Tensor[] small(String name, long from, long n) {
        Tensor p = Tensors.empty(DType.F32, Device.CPU, n), m = Tensors.empty(DType.F32, Device.CPU, n);
        pass(name, from, n, segment(p), segment(m), true);
        return new Tensor[] {p, m};
    }

    /**
     * θ₊ and θ₋ of rows {@code rows} of table {@code name} {@code (V, C)}, computed from the stored values without
     * writing back (the table's own pass does that): fresh tensors {@code (rows, C)}.
     */
    private Tensor[] rows(String name, long[] rows) {
        long cols = files.shape(name)[1];
        boolean bf16 = files.dtype(name) == DType.BF16;
        Tensor p = Tensors.empty(DType.F32, Device.CPU, rows.length, cols);
        Tensor m = Tensors.empty(DType.F32, Device.CPU, rows.length, cols);
        MemorySegment ps = segment(p), ms = segment(m);
        for (int u = 0; u < rows.length; u++) {
            MemorySegment src = io.read(name, rows[u] * cols, cols);
            long t0 = System.nanoTime();
            parallel.streamed(src, bf16, ps.asSlice(u * cols * 4), ms.asSlice(u * cols * 4), null, false,
                    offsets.get(name) + rows[u] * cols, cols, prevKey, upd, ZoHyperparameters.decays(name), hp, curKey, true);
            perturbNanos += System.nanoTime() - t0;
        }
        return new Tensor[] {p, m};
    }

    /** The distinct rows {@code ids} reads, ascending, and each id's position among them (the ids' shape). */
    private record Gather(long[] rows, Tensor index) {}

    private Gather gather(String table, Tensor ids) {
        long vocab = files.shape(table)[0];
        long[] all = ids.contiguous().toLongArray();
        TreeMap<Long, Integer> index = new TreeMap<>();
        for (long id : all) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("id " + id + " is outside the " + vocab
                    + " rows of " + table + ": check the tokenizer (token ids) or the sequence length (positions)");
            index.put(id, 0);
        }
        long[] rows = new long[index.size()];
        int u = 0;
        for (var e : index.entrySet()) {
            rows[u] = e.getKey();
            e.setValue(u++);
        }
        long[] at = new long[all.length];
        for (int i = 0; i < all.length; i++) at[i] = index.get(all[i]);
        return new Gather(rows, Tensors.fromLongs(at, ids.shape()));
    }

    private static MemorySegment segment(Tensor t) {
        return MemorySegment.ofAddress(t.dataAddress()).reinterpret(t.numel() * 4);
    }

    private Tensor timed(Supplier<Tensor> f) {
        long t0 = System.nanoTime();
        Tensor r = f.get();
        computeNanos += System.nanoTime() - t0;
        return r;
    }

    private Tensor sides(Tensor plus, Tensor minus) { return Tensors.cat(List.of(plus, minus), 0); }

    /**
     * Rows {@code r0 .. r0+rows−1} of matrix {@code name} ({@code cols} columns) through {@link #pass}: θ₊ and θ₋ as
     * {@code (rows, cols)} views of the working buffers, valid until the next chunk.
     */
    private Tensor[] chunk(String name, long r0, long rows, long cols) {
        long n = rows * cols;
        pass(name, r0 * cols, n, plusBuf, minusBuf, true);
        return new Tensor[] {Tensors.viewOf(plusBuf.asSlice(0, n * 4), DType.F32, rows, cols),
                Tensors.viewOf(minusBuf.asSlice(0, n * 4), DType.F32, rows, cols)};
    }

    /** The ops of a plain forward ({@link #loss}): each parameter read as stored, chunk by chunk, nothing written. */
    private final class PlainOps implements LayerOps {
        private Tensor whole(Tensor placeholder) { return stored(nameOf(placeholder)); }

        @Override
        public Tensor linear(String module, Tensor x, Tensor w, Tensor b) {
            String wn = nameOf(w);
            long[] shape = files.shape(wn);
            long out = shape[0], in = shape[1], rowsPerChunk = Math.max(1, elems / in);
            Tensor bias = b == null ? null : whole(b);
            List<Tensor> ys = new ArrayList<>();
            for (long r0 = 0; r0 < out; r0 += rowsPerChunk) {
                long r = Math.min(rowsPerChunk, out - r0);
                ys.add(NN.linear(x, rowsView(wn, r0, r, in), bias == null ? null : bias.narrow(0, r0, r)));
            }
            return ys.size() == 1 ? ys.get(0) : Tensors.cat(ys, x.dim() - 1);
        }

        /** Rows {@code r0 ..} of matrix {@code name} as stored, a view of the θ₊ buffer valid until the next call. */
        private Tensor rowsView(String name, long r0, long rows, long cols) {
            plain(name, r0 * cols, rows * cols, plusBuf);
            return Tensors.viewOf(plusBuf.asSlice(0, rows * cols * 4), DType.F32, rows, cols);
        }

        @Override
        public Tensor conv1d(String module, Tensor x, Tensor w, Tensor b) { return NN.linear(x, whole(w).t(), whole(b)); }

        /** The rows the ids need, read as stored: not the whole table. */
        @Override
        public Tensor embedding(String module, Tensor table, Tensor ids) {
            String name = nameOf(table);
            Gather g = gather(name, ids);
            long cols = files.shape(name)[1];
            Tensor rows = Tensors.empty(DType.F32, Device.CPU, g.rows().length, cols);
            MemorySegment seg = segment(rows);
            for (int u = 0; u < g.rows().length; u++) plain(name, g.rows()[u] * cols, cols, seg.asSlice(u * cols * 4));
            return NN.embedding(rows, g.index());
        }

        @Override
        public Tensor layerNorm(String module, Tensor x, Tensor w, Tensor b, double eps) {
            return NN.layerNorm(x, w == null ? null : whole(w), b == null ? null : whole(b), eps);
        }

        @Override
        public Tensor rmsNorm(String module, Tensor x, Tensor w, double eps) {
            return NN.rmsNorm(x, w == null ? null : whole(w), eps);
        }
    }

    /** The ops of the 2B-row forward: rows 0..B−1 at θ₊, rows B..2B−1 at θ₋, each parameter materialised once. */
    private final class DualOps implements LayerOps {
        @Override
        public Tensor linear(String module, Tensor x, Tensor w, Tensor b) {
            String wn = nameOf(w), bn = b == null ? null : nameOf(b);
            long[] shape = files.shape(wn);
            long out = shape[0], in = shape[1], rowsPerChunk = Math.max(1, elems / in);
            Tensor xp = x.narrow(0, 0, half), xm = x.narrow(0, half, half);
            List<Tensor> yp = new ArrayList<>(), ym = new ArrayList<>();
            for (long r0 = 0; r0 < out; r0 += rowsPerChunk) {
                long r = Math.min(rowsPerChunk, out - r0);
                Tensor[] w2 = chunk(wn, r0, r, in);
                Tensor wp = w2[0], wm = w2[1];
                Tensor[] bias = bn == null ? null : small(bn, r0, r);
                yp.add(timed(() -> NN.linear(xp, wp, bias == null ? null : bias[0])));
                ym.add(timed(() -> NN.linear(xm, wm, bias == null ? null : bias[1])));
            }
            int last = x.dim() - 1;
            return yp.size() == 1 ? sides(yp.get(0), ym.get(0)) : sides(Tensors.cat(yp, last), Tensors.cat(ym, last));
        }

        /**
         * GPT-2's Conv1D, weight {@code (in, out)}: whole when it fits a chunk (as {@link LayerOps#conv1d}: the same
         * bits), else chunk by chunk of input rows, the partial products summed (another summation order: ulps).
         */
        @Override
        public Tensor conv1d(String module, Tensor x, Tensor w, Tensor b) {
            String wn = nameOf(w), bn = b == null ? null : nameOf(b);
            long[] shape = files.shape(wn);
            long in = shape[0], out = shape[1], rowsPerChunk = Math.max(1, elems / out);
            Tensor xp = x.narrow(0, 0, half), xm = x.narrow(0, half, half);
            Tensor yp = null, ym = null;
            int last = x.dim() - 1;
            for (long r0 = 0; r0 < in; r0 += rowsPerChunk) {
                long r = Math.min(rowsPerChunk, in - r0);
                Tensor[] w2 = chunk(wn, r0, r, out);
                Tensor wp = w2[0], wm = w2[1];
                boolean whole = r == in;
                Tensor[] bias = bn == null || !whole ? null : small(bn, 0, out);
                Tensor sp = xp.narrow(last, r0, r), sm = xm.narrow(last, r0, r);
                Tensor p = timed(() -> NN.linear(whole ? xp : sp, wp.t(), bias == null ? null : bias[0]));
                Tensor m = timed(() -> NN.linear(whole ? xm : sm, wm.t(), bias == null ? null : bias[1]));
                yp = yp == null ? p : yp.add(p);
                ym = ym == null ? m : ym.add(m);
            }
            if (bn != null && rowsPerChunk < in) {
                Tensor[] bias = small(bn, 0, out);
                yp = yp.add(bias[0]);
                ym = ym.add(bias[1]);
            }
            return sides(yp, ym);
        }

        @Override
        public Tensor embedding(String module, Tensor table, Tensor ids) {
            String name = nameOf(table);
            Gather g = gather(name, ids);
            Tensor[] r = rows(name, g.rows());
            return sides(NN.embedding(r[0], g.index().narrow(0, 0, half)), NN.embedding(r[1], g.index().narrow(0, half, half)));
        }

        @Override
        public Tensor layerNorm(String module, Tensor x, Tensor w, Tensor b, double eps) {
            if (w == null && b == null) return timed(() -> NN.layerNorm(x, null, null, eps));
            Tensor[] ws = w == null ? null : small(nameOf(w), 0, files.numel(nameOf(w)));
            Tensor[] bs = b == null ? null : small(nameOf(b), 0, files.numel(nameOf(b)));
            Tensor xp = x.narrow(0, 0, half), xm = x.narrow(0, half, half);
            Tensor p = timed(() -> NN.layerNorm(xp, ws == null ? null : ws[0], bs == null ? null : bs[0], eps));
            Tensor m = timed(() -> NN.layerNorm(xm, ws == null ? null : ws[1], bs == null ? null : bs[1], eps));
            return sides(p, m);
        }

        @Override
        public Tensor rmsNorm(String module, Tensor x, Tensor w, double eps) {
            if (w == null) return timed(() -> NN.rmsNorm(x, null, eps));
            Tensor[] ws = small(nameOf(w), 0, files.numel(nameOf(w)));
            Tensor xp = x.narrow(0, 0, half), xm = x.narrow(0, half, half);
            return sides(timed(() -> NN.rmsNorm(xp, ws[0], eps)), timed(() -> NN.rmsNorm(xm, ws[1], eps)));
        }

        /** The norm and projections on all 2B rows (through the ops above), attention per side, the output on all. */
        @Override
        public Tensor attention(AttentionParts parts, Tensor residual) {
            Tensor[] qkv = parts.project(parts.norm(residual));
            Tensor p = timed(() -> parts.attend(qkv[0].narrow(0, 0, half), qkv[1].narrow(0, 0, half), qkv[2].narrow(0, 0, half)));
            Tensor m = timed(() -> parts.attend(qkv[0].narrow(0, half, half), qkv[1].narrow(0, half, half),
                    qkv[2].narrow(0, half, half)));
            return parts.output(sides(p, m));
        }
    }

    @Override
    public void close() {
        parallel.close();
        io.close();
        files.close();
        placeholders.forEach(Tensor::close);
        placeholders.clear();
        arena.close();
    }
}
