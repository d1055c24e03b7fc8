package dev.frugal.io;

import dev.frugal.io.SafetensorsException.Kind;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A memory-mapped safetensors file of any size (FFM segments are not limited to 2 GiB; only the pages a read touches
 * become resident). The header is fully validated when the file is opened (see {@link SafetensorsHeader}: dtype
 * names, shapes, offsets tiling the data section, shape × dtype = byte length), so nothing invalid ever reaches
 * libtorch. Format: u64 little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, "__metadata__": {..}}}, then the data.
 *
 * <p>Thread-safe for reads; {@link #close()} unmaps the file, after which every accessor that touches data throws
 * {@link IllegalStateException} instead of reading unmapped memory.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (the reference implementation's limit is 100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;
    /** Native copies (read lock) must not overlap unmapping (write lock): libtorch reading unmapped pages crashes. */
    private final ReadWriteLock mapping = new ReentrantReadWriteLock();

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws SafetensorsException naming the file and the problem ({@link SafetensorsException#kind()} says which)
     */
    public static SafetensorsFile open(Path path) {
        if (!Files.exists(path)) throw new SafetensorsException(path, Kind.IO, "no such file");
        if (!Files.isRegularFile(path)) throw new SafetensorsException(path, Kind.IO, "not a regular file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new SafetensorsException(path, Kind.TRUNCATED, "truncated: " + size + " bytes, but a"
                    + " safetensors file starts with an 8-byte header length");
            ByteBuffer lenBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (lenBytes.hasRemaining()) if (ch.read(lenBytes, lenBytes.position()) < 0) break;
            long headerLen = lenBytes.getLong(0); // u64: a value ≥ 2^63 reads as negative
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES)
                throw new SafetensorsException(path, Kind.HEADER_LENGTH, "header length "
                        + Long.toUnsignedString(headerLen) + " is impossible (it must be 2.." + MAX_HEADER_BYTES
                        + "; the file is " + size + " bytes): not a safetensors file, or corrupt");
            if (headerLen > size - 8)
                throw new SafetensorsException(path, Kind.HEADER_LENGTH, "header length " + headerLen + " runs past the"
                        + " end of the file (" + size + " bytes, so at most " + (size - 8) + " header bytes): the file"
                        + " is truncated or corrupt");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            byte[] hb = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + headerLen);
            SafetensorsHeader h = SafetensorsHeader.parse(path, hb, data.byteSize());
            return new SafetensorsFile(path, arena, data, h);
        } catch (IOException e) {
            arena.close();
            throw new SafetensorsException(path, "cannot read: " + e, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() { return path; }

    /** Tensor names in header order. */
    public List<String> names() { return List.copyOf(header.tensors().keySet()); }

    public boolean contains(String name) { return header.tensors().containsKey(name); }

    /**
     * Header entry of {@code name}.
     *
     * @throws SafetensorsException ({@link Kind#NO_SUCH_TENSOR}) when the file has no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo i = header.tensors().get(name);
        if (i == null) throw new SafetensorsException(path, Kind.NO_SUCH_TENSOR, "has no tensor '" + name + "' ("
                + header.tensors().size() + " tensors here)");
        return i;
    }

    /** Every header entry, name → entry in header order. */
    public Map<String, TensorInfo> infos() { return header.tensors(); }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() { return header.metadata(); }

    /** Size of the data section in bytes. */
    public long dataBytes() { return data.byteSize(); }

    /**
     * The raw little-endian bytes of {@code name} inside the read-only mapping: no copy, valid until {@link #close()}.
     * Reading it touches only the pages read.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public MemorySegment bytes(String name) {
        TensorInfo i = info(name);
        ensureOpen();
        return data.asSlice(i.begin(), i.byteLength());
    }

    /**
     * A CPU tensor holding a copy of {@code name} in its stored dtype.
     *
     * @throws SafetensorsException ({@link Kind#BAD_VALUE}) for a BOOL tensor holding a byte other than 0 or 1
     * @throws IllegalStateException after {@link #close()}
     */
    public Tensor tensor(String name) {
        TensorInfo i = info(name);
        mapping.readLock().lock();
        try {
            MemorySegment b = bytes(name);
            if (i.dtype() == DType.BOOL) checkBools(i, b);
            return copyOut(b, i.dtype(), i.shape());
        } finally {
            mapping.readLock().unlock();
        }
    }

    /**
     * A CPU tensor holding a copy of rows {@code start .. start+count-1} (along dimension 0) of {@code name}, converted
     * to {@code dtype}: only those rows' pages are read.
     *
     * @throws IllegalArgumentException for a scalar, a BOOL tensor, or rows outside the tensor
     * @throws IllegalStateException after {@link #close()}
     */
    public Tensor rows(String name, long start, long count, DType dtype) {
        long[] part = rowsShape(name, start, count);
        mapping.readLock().lock();
        try {
            Tensor t = copyOut(rowBytes(name, start, count, part), info(name).dtype(), part);
            return t.dtype() == dtype ? t : t.to(dtype);
        } finally {
            mapping.readLock().unlock();
        }
    }

    /** The shape of rows {@code start .. start+count-1} of {@code name}, checked. */
    private long[] rowsShape(String name, long start, long count) {
        TensorInfo i = info(name);
        long[] shape = i.shape();
        if (shape.length == 0 || i.dtype() == DType.BOOL) throw new IllegalArgumentException("rows of '" + name
                + "' cannot be read: it is a scalar or BOOL tensor");
        if (start < 0 || count < 0 || start + count > shape[0]) throw new IllegalArgumentException("rows [" + start
                + ", " + (start + count) + ") are outside the " + shape[0] + " rows of '" + name + "'");
        long[] part = shape.clone();
        part[0] = count;
        return part;
    }

    private MemorySegment rowBytes(String name, long start, long count, long[] part) {
        long rowBytes = count == 0 ? 0 : SafetensorsHeader.byteLength(part, info(name).dtype()) / count;
        return bytes(name).asSlice(start * rowBytes, count * rowBytes);
    }

    /**
     * A CPU tensor holding a copy of {@code name} converted to {@code dtype}. A large tensor is converted a chunk of
     * rows at a time into the result, so that its stored copy is never whole beside it (loading a bf16 checkpoint in
     * float32 held 1.5× the float32 size at the peak: an OPT-6.7B-shaped embedding's 412 MB beside its 824 MB).
     */
    public Tensor tensor(String name, DType dtype) {
        TensorInfo i = info(name);
        long[] shape = i.shape();
        long bytes = SafetensorsHeader.byteLength(shape, i.dtype());
        if (i.dtype() == dtype || i.dtype() == DType.BOOL || shape.length == 0 || shape[0] < 2
                || bytes <= COPY_CHUNK_BYTES) {
            Tensor t = tensor(name);
            return t.dtype() == dtype ? t : t.to(dtype);
        }
        Tensor out = Tensors.empty(dtype, dev.frugal.tensor.Device.CPU, shape);
        long rows = Math.max(1, COPY_CHUNK_BYTES / (bytes / shape[0]));
        for (long r = 0; r < shape[0]; r += rows)
            try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) {
                long k = Math.min(rows, shape[0] - r);
                out.narrow(0, r, k).copyFrom(rows(name, r, k, i.dtype()));
            }
        return out;
    }

    /**
     * Whether {@code name} holds exactly {@code t}'s values in {@code t}'s shape. A CPU tensor of the stored dtype is
     * compared byte for byte in place, a chunk at a time, each chunk's pages released once compared: no copy is made;
     * any other tensor is compared against the stored values converted to its dtype, a chunk of rows at a time.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public boolean matches(String name, Tensor t) {
        TensorInfo i = info(name);
        if (!java.util.Arrays.equals(i.shape(), t.shape())) return false;
        if (t.device().isCuda() || t.dtype() != i.dtype() || !t.isContiguous() || i.shape().length == 0) {
            long rowElems = i.shape().length == 0 ? 1 : t.numel() / Math.max(1, i.shape()[0]);
            long rows = Math.max(1, (COPY_CHUNK_BYTES / t.dtype().bytes()) / Math.max(1, rowElems));
            long n = i.shape().length == 0 ? 1 : i.shape()[0];
            for (long r = 0; r < n; r += rows)
                try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) {
                    long k = Math.min(rows, n - r);
                    Tensor stored = (i.shape().length == 0 ? tensor(name, t.dtype()) : rows(name, r, k, t.dtype()))
                            .to(t.device());
                    Tensor mine = i.shape().length == 0 ? t : t.narrow(0, r, k);
                    if (mine.eq(stored).logicalNot().sum().itemDouble() != 0) return false;
                }
            return true;
        }
        mapping.readLock().lock();
        try {
            MemorySegment b = bytes(name);
            long n = b.byteSize();
            if (n == 0) return true;
            MemorySegment mine = MemorySegment.ofAddress(t.dataAddress()).reinterpret(n);
            for (long o = 0; o < n; o += COPY_CHUNK_BYTES) {
                long len = Math.min(COPY_CHUNK_BYTES, n - o);
                MemorySegment src = b.asSlice(o, len);
                boolean same = MemorySegment.mismatch(src, 0, len, mine, o, o + len) == -1;
                if (src.isMapped()) src.unload();
                if (!same) return false;
            }
            return true;
        } finally {
            mapping.readLock().unlock();
        }
    }

    /** Bytes copied out of the mapping at a time before their pages are released. */
    static final long COPY_CHUNK_BYTES = 16L << 20;

    /**
     * A tensor holding a copy of the mapped bytes {@code b}, copied a chunk at a time, each chunk's pages released from
     * this process's resident memory once copied ({@link MemorySegment#unload()}; they stay in the page cache). A
     * tensor read from the file then costs its own bytes only, not also the pages it was read from: loading a model
     * used to peak at twice its size until the file was closed.
     */
    private static Tensor copyOut(MemorySegment b, DType dtype, long[] shape) {
        Tensor t = Tensors.empty(dtype, dev.frugal.tensor.Device.CPU, shape);
        long n = b.byteSize();
        if (n != t.numel() * dtype.bytes()) throw new IllegalStateException("a " + dtype + " tensor of shape "
                + java.util.Arrays.toString(shape) + " is not " + n + " bytes");
        if (n == 0) return t; // an empty tensor has no data pointer
        MemorySegment dst = MemorySegment.ofAddress(t.dataAddress()).reinterpret(n);
        for (long o = 0; o < n; o += COPY_CHUNK_BYTES) {
            long len = Math.min(COPY_CHUNK_BYTES, n - o);
            MemorySegment src = b.asSlice(o, len);
            MemorySegment.copy(src, 0, dst, o, len);
            if (src.isMapped()) src.unload();
        }
        return t;
    }

    /** libtorch's bool is one byte that must be 0 or 1; any other value is undefined behaviour in its kernels. */
    private void checkBools(TensorInfo i, MemorySegment b) {
        for (long k = 0, n = b.byteSize(); k < n; k++) {
            byte v = b.get(ValueLayout.JAVA_BYTE, k);
            if (v != 0 && v != 1) throw new SafetensorsException(path, Kind.BAD_VALUE, "BOOL tensor '" + i.name()
                    + "' holds byte " + (v & 0xff) + " at element " + k + ": BOOL bytes must be 0 or 1");
        }
    }

    private void ensureOpen() {
        if (!arena.scope().isAlive()) throw new IllegalStateException(path + " was closed: read its tensors before"
                + " closing it (or keep a copy via tensor(name))");
    }

    /** Unmaps the file. Idempotent; tensors already copied out stay valid. */
    @Override
    public void close() {
        mapping.writeLock().lock();
        try {
            if (arena.scope().isAlive()) arena.close();
        } finally {
            mapping.writeLock().unlock();
        }
    }
}
