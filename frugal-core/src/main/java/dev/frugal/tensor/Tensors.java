package dev.frugal.tensor;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Tensor factories and ops over several tensors (PyTorch's {@code torch.*} namespace). */
public final class Tensors {
    private Tensors() {}

    static TensorOptions options(DType dtype, Device device) {
        Backend.ensureLoaded();
        TensorOptions o = new TensorOptions().dtype(new ScalarTypeOptional(dtype.scalarType()));
        return device.isCuda() ? o.device(new DeviceOptional(device.toNative())) : o;
    }

    public static Tensor zeros(DType dtype, Device device, long... shape) {
        return Tensor.wrap(torch.zeros(shape, options(dtype, device)));
    }

    public static Tensor zeros(long... shape) { return zeros(DType.F32, Device.CPU, shape); }

    public static Tensor ones(DType dtype, Device device, long... shape) {
        return Tensor.wrap(torch.ones(shape, options(dtype, device)));
    }

    public static Tensor ones(long... shape) { return ones(DType.F32, Device.CPU, shape); }

    public static Tensor full(double value, DType dtype, Device device, long... shape) {
        return Tensor.wrap(torch.full(shape, new Scalar(value), options(dtype, device)));
    }

    public static Tensor empty(DType dtype, Device device, long... shape) {
        return Tensor.wrap(torch.empty(shape, options(dtype, device), new org.bytedeco.pytorch.MemoryFormatOptional()));
    }

    /** A host tensor in page-locked memory (fast, asynchronous host-to-GPU copies); plain memory on CPU-only builds. */
    public static Tensor emptyPinned(DType dtype, long... shape) {
        Tensor t = empty(dtype, Device.CPU, shape);
        if (!Backend.cudaAvailable()) return t;
        return Tensor.wrap(t.raw().pin_memory());
    }

    public static Tensor zerosLike(Tensor t) { return Tensor.wrap(torch.zeros_like(t.raw())); }

    /** {@code [0, 1, ..., n-1]} as int64. */
    public static Tensor arange(long n, Device device) {
        return Tensor.wrap(torch.arange(new Scalar(n), options(DType.I64, device)));
    }

    /** {@code [start, ..., end-1]} as int64. */
    public static Tensor arange(long start, long end, Device device) {
        return Tensor.wrap(torch.arange(new Scalar(start), new Scalar(end), options(DType.I64, device)));
    }

    /** A float32 tensor of {@code shape} copied from {@code values} (row-major). */
    public static Tensor fromFloats(float[] values, long... shape) {
        checkCount(values.length, shape);
        Backend.ensureLoaded();
        try (FloatPointer p = new FloatPointer(values)) {
            return Tensor.wrap(torch.from_blob(p, shape, options(DType.F32, Device.CPU)).clone());
        }
    }

    /** A float64 tensor copied from {@code values}. */
    public static Tensor fromDoubles(double[] values, long... shape) {
        checkCount(values.length, shape);
        Backend.ensureLoaded();
        try (DoublePointer p = new DoublePointer(values)) {
            return Tensor.wrap(torch.from_blob(p, shape, options(DType.F64, Device.CPU)).clone());
        }
    }

    /** An int64 tensor copied from {@code values}. */
    public static Tensor fromLongs(long[] values, long... shape) {
        checkCount(values.length, shape);
        Backend.ensureLoaded();
        try (LongPointer p = new LongPointer(values)) {
            return Tensor.wrap(torch.from_blob(p, shape, options(DType.I64, Device.CPU)).clone());
        }
    }

    /** An int64 tensor {@code [rows, cols]} from a rectangular array. */
    public static Tensor fromLongs(long[][] rows) {
        int r = rows.length, c = r == 0 ? 0 : rows[0].length;
        long[] flat = new long[r * c];
        for (int i = 0; i < r; i++) {
            if (rows[i].length != c) throw new IllegalArgumentException("ragged rows: row " + i + " has " + rows[i].length
                    + " ids, row 0 has " + c + "; pad them first");
            System.arraycopy(rows[i], 0, flat, i * c, c);
        }
        return fromLongs(flat, r, c);
    }

    /** A tensor of {@code dtype} copied from raw little-endian bytes. */
    static Tensor fromBytes(byte[] bytes, long[] shape, DType dtype) {
        checkBytes(bytes.length, shape, dtype);
        Backend.ensureLoaded();
        try (BytePointer p = new BytePointer(bytes)) {
            return Tensor.wrap(torch.from_blob(p, shape, options(dtype, Device.CPU)).clone());
        }
    }

    /**
     * A tensor of {@code dtype} and {@code shape} that COPIES the bytes of {@code segment} (which may be a memory-mapped
     * file region, unaligned). The byte count is checked first: a mismatch would make libtorch read out of bounds.
     */
    public static Tensor copyOf(MemorySegment segment, DType dtype, long... shape) {
        checkBytes(segment.byteSize(), shape, dtype);
        if (!segment.isNative()) { // a heap segment's address() is an array offset, not a pointer libtorch may read
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                return copyOf(a.allocate(Math.max(1, segment.byteSize())).copyFrom(segment).asSlice(0, segment.byteSize()),
                        dtype, shape);
            }
        }
        Backend.ensureLoaded();
        Pointer p = new RawPointer(segment.address(), segment.byteSize());
        return Tensor.wrap(torch.from_blob(p, shape, options(dtype, Device.CPU)).clone());
    }

    /**
     * A tensor that VIEWS {@code segment} without copying. The caller keeps the segment's arena open for as long as
     * the tensor and every view of it live, and must not write through it if the mapping is read-only.
     */
    public static Tensor viewOf(MemorySegment segment, DType dtype, long... shape) {
        checkBytes(segment.byteSize(), shape, dtype);
        if (!segment.isNative()) throw new IllegalArgumentException("viewOf needs native memory (a mapped file or an"
                + " Arena allocation), not a heap segment: use copyOf");
        Backend.ensureLoaded();
        Pointer p = new RawPointer(segment.address(), segment.byteSize());
        return Tensor.wrap(torch.from_blob(p, shape, options(dtype, Device.CPU)));
    }

    /** A raw address as a JavaCPP pointer ('address' is a protected field). */
    private static final class RawPointer extends Pointer {
        RawPointer(long address, long bytes) {
            this.address = address;
            this.limit = bytes;
            this.capacity = bytes;
        }
    }

    /** A standard-normal tensor drawn from {@code rng} (same stream as PyTorch's {@code randn} after manual_seed). */
    public static Tensor randn(Rng rng, DType dtype, Device device, long... shape) {
        return Tensor.wrap(torch.normal(0.0, 1.0, shape, rng.optional(), options(dtype, device)));
    }

    public static Tensor randn(Rng rng, long... shape) { return randn(rng, DType.F32, Device.CPU, shape); }

    /** Elements per independently seeded chunk of {@link #randnChunked}: 1 Mi. */
    public static final long RANDN_CHUNK = 1L << 20;

    /**
     * N(0, 1) draws on the CPU, several chunks at once. libtorch's CPU generator is sequential (about 167M normals/s
     * here), which made DP-SGD's noise about a tenth of a GPT-2-small step. Up to {@link #RANDN_CHUNK} elements this is
     * {@link #randn(Rng, DType, Device, long...)}, the same draws from the same stream. A larger tensor, flattened, is
     * cut into chunks of {@code RANDN_CHUNK} elements, and chunk k is filled in place from a CPU generator seeded with
     * the k-th of {@code ceil(n / RANDN_CHUNK)} seeds drawn first from {@code rng} (int64, uniform on [0, 2⁶²)); the
     * chunks are spread over {@link Threads#aten()} threads. The values depend on {@code rng}'s state and the shape
     * only, never on the thread count, and {@code rng} advances by the seed draws alone.
     *
     * @param dtype a floating dtype
     */
    public static Tensor randnChunked(Rng rng, DType dtype, long... shape) {
        long n = numel(shape);
        if (n < 0) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " is negative or"
                + " too large");
        if (n <= RANDN_CHUNK) return randn(rng, dtype, Device.CPU, shape);
        int chunks = Math.toIntExact((n + RANDN_CHUNK - 1) / RANDN_CHUNK);
        long[] seeds;
        try (Scope s = Scope.open()) {
            seeds = randint(0, 1L << 62, rng, chunks).toLongArray();
        }
        Tensor flat = empty(dtype, Device.CPU, n);
        int parts = Math.max(1, Math.min(Threads.aten(), chunks));
        Threads.runSplit(parts, part -> {
            for (int k = part; k < chunks; k += parts) {
                long start = k * RANDN_CHUNK;
                try (Scope s = Scope.open(); Rng g = Rng.seeded("randn-chunk", seeds[k])) {
                    flat.narrow(0, start, Math.min(RANDN_CHUNK, n - start)).normalInPlace(0, 1, g);
                }
            }
            return null;
        });
        return flat.view(shape);
    }

    /** Uniform [0, 1) draws from {@code rng}. */
    public static Tensor rand(Rng rng, long... shape) {
        return Tensor.wrap(torch.rand(shape, rng.optional(), options(DType.F32, Device.CPU)));
    }

    /** Integers in [lo, hi) from {@code rng}, int64. */
    public static Tensor randint(long lo, long hi, Rng rng, long... shape) {
        return Tensor.wrap(torch.randint(lo, hi, shape, rng.optional(), options(DType.I64, Device.CPU)));
    }

    /** A random permutation of [0, n) from {@code rng}. */
    public static Tensor randperm(long n, Rng rng) {
        return Tensor.wrap(torch.randperm(n, rng.optional(), options(DType.I64, Device.CPU)));
    }

    public static Tensor cat(List<Tensor> parts, int dim) { return Tensor.wrap(torch.cat(vector(parts), dim)); }

    public static Tensor stack(List<Tensor> parts, int dim) { return Tensor.wrap(torch.stack(vector(parts), dim)); }

    /** {@code cond ? a : b} elementwise. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Tensor.wrap(torch.where(cond.raw(), a.raw(), b.raw())); }

    /** Exact equality of shape and values. */
    public static boolean equal(Tensor a, Tensor b) { return torch.equal(a.raw(), b.raw()); }

    /** Max |a - b| as a double (both cast to float64 first). */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        try (Scope s = Scope.open()) {
            if (!java.util.Arrays.equals(a.shape(), b.shape()))
                throw new IllegalArgumentException("shapes differ: " + a + " vs " + b);
            if (a.numel() == 0) return 0;
            return a.to(DType.F64).sub(b.to(DType.F64)).abs().max().itemDouble();
        }
    }

    static TensorVector vector(List<Tensor> parts) {
        org.bytedeco.pytorch.Tensor[] raw = new org.bytedeco.pytorch.Tensor[parts.size()];
        for (int i = 0; i < raw.length; i++) raw[i] = parts.get(i).raw();
        return new TensorVector(raw);
    }

    private static void checkCount(long have, long[] shape) {
        long n = numel(shape);
        if (n != have) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " needs " + n
                + " values, got " + have);
    }

    private static void checkBytes(long have, long[] shape, DType dtype) {
        long n = numel(shape);
        if (n < 0 || Math.multiplyHigh(n, dtype.bytes()) != 0 || n * dtype.bytes() != have)
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                    + n + "×" + dtype.bytes() + " bytes, got " + have);
    }

    /** Element count of {@code shape}; -1 when a dimension is negative or the product overflows. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) return -1;
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    // ---- added for llama
    /** {@code base ** exponent} elementwise, in the exponent's dtype (Python's {@code float ** tensor}). */
    public static Tensor pow(double base, Tensor exponent) {
        return Tensor.wrap(torch.pow(new Scalar(base), exponent.raw()));
    }

    // ---- added for dp-speed
    /**
     * Per-sample GEMMs at least this large ({@code n·k·m} multiply-adds) run as one {@code matmul} on OpenBLAS's
     * threads rather than split by sample ({@link #bmmSplit}). Measured on the quiet 2-core VM, 2 threads: 16 GEMMs of
     * 256 × 128 × 768 took 5.6 ms as one {@code bmm} and 26.5 ms split; 2,048 GEMMs of 32 × 25 × 256 took 227 ms as
     * one {@code bmm} and 131 ms split.
     */
    public static final long BMM_SPLIT_MAX_MACS = 1L << 20;

    /**
     * {@link #mmSplitK} splits K only when {@code K ≥ MM_SPLIT_MIN_K_RATIO · P · Q} (a long, narrow contraction).
     * Measured on the quiet 2-core VM, 2 threads: (16 × 401,408) @ (401,408 × 64) 15.5 ms split, 19.7 ms plain;
     * (256 × 2,048) @ (2,048 × 1,024) 13.1 ms split, 6.5 ms plain.
     */
    public static final long MM_SPLIT_MIN_K_RATIO = 4;

    /** Whether {@link #bmmSplit} splits per-sample products of {@code n × k × m} by sample (on CPU, several threads). */
    static boolean splitsBatch(long n, long k, long m) { return n * k * m < BMM_SPLIT_MAX_MACS; }

    /** Whether {@link #mmSplitK} splits {@code (p × k) @ (k × q)} along K (on CPU, several threads). */
    static boolean splitsK(long p, long k, long q) { return k >= MM_SPLIT_MIN_K_RATIO * p * q; }

    /**
     * Batched matmul {@code a (B, n, k) @ b (B, k, m) → (B, n, m)}, like {@link Tensor#matmul}. On CPU, when each
     * product is small (under {@link #BMM_SPLIT_MAX_MACS}), the batch is split across the calling thread's ATen
     * thread count ({@link Threads#runSplit}: each slice is one single-threaded BLAS call per sample instead of B tiny
     * calls that each synchronise the BLAS threads); larger products run as one {@code matmul} on OpenBLAS's threads,
     * which is faster for them. Same values as {@code matmul} up to summation order; on other devices, with one thread
     * or B = 1, it is {@code a.matmul(b)}.
     */
    public static Tensor bmmSplit(Tensor a, Tensor b) {
        long batch = a.size(0);
        int parts = (int) Math.min(batch, Threads.aten());
        if (parts <= 1 || a.device().isCuda() || a.dim() != 3 || b.dim() != 3 || a.dtype() != b.dtype()
                || !splitsBatch(a.size(1), a.size(2), b.size(2)))
            return a.matmul(b);
        Tensor out = empty(a.dtype(), Device.CPU, batch, a.size(1), b.size(2));
        Threads.runSplit(parts, part -> {
            long start = batch * part / parts, end = batch * (part + 1) / parts;
            try (Scope s = Scope.open()) {
                torch.bmm_out(out.raw().narrow(0, start, end - start), a.raw().narrow(0, start, end - start),
                        b.raw().narrow(0, start, end - start));
            }
            return null;
        });
        return out;
    }

    /**
     * {@code a (P, K) @ b (K, Q) → (P, Q)}. On CPU, for a long, narrow contraction ({@code K ≥}
     * {@link #MM_SPLIT_MIN_K_RATIO}{@code · P · Q}: a per-sample clipped sum over B·T rows into a small weight) K is
     * split across the calling thread's ATen thread count, each part one single-threaded GEMM, the partial products
     * added at the end, since OpenBLAS's own threading synchronises once per K block there. Same values as
     * {@code matmul} up to summation order; otherwise (other devices, one thread, a wide product) it is
     * {@code a.matmul(b)}.
     */
    public static Tensor mmSplitK(Tensor a, Tensor b) {
        long k = a.size(1);
        int parts = (int) Math.min(k, Threads.aten());
        if (parts <= 1 || a.device().isCuda() || a.dim() != 2 || b.dim() != 2 || !splitsK(a.size(0), k, b.size(1)))
            return a.matmul(b);
        java.util.List<Tensor> partial = Threads.runSplit(parts, part -> {
            long start = k * part / parts, end = k * (part + 1) / parts;
            try (Scope s = Scope.open()) {
                return a.narrow(1, start, end - start).matmul(b.narrow(0, start, end - start)).keep();
            }
        });
        Tensor total = partial.get(0).add(partial.get(1));
        for (int i = 2; i < partial.size(); i++) total = total.add(partial.get(i));
        partial.forEach(Tensor::close);
        return total;
    }
}
