package dev.frugal.zo;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every parameter of a model in its own file on disk, in its storage dtype, read and written by element ranges with
 * plain positioned file IO (not a mapping, so that the process's resident memory does not grow with what it has
 * read; the OS page cache may still hold recently used files). The time spent reading and writing is counted.
 */
final class ParameterFiles implements AutoCloseable {
    private record Entry(Path file, DType dtype, long[] shape, long numel) {}

    private final Path dir;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long readNanos;
    private long writeNanos;
    private long readBytes;

    ParameterFiles(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the offload directory " + dir, e);
        }
    }

    /**
     * Adds parameter {@code name} with the value of {@code value} (any dtype, contiguous or not) cast to {@code dtype},
     * written through {@code buffer} (native, at least {@code chunk} elements of {@code dtype}) in chunks.
     */
    void create(String name, Tensor value, DType dtype, MemorySegment buffer, long chunk) {
        if (entries.containsKey(name)) throw new IllegalStateException("parameter " + name + " is stored already");
        Path file = dir.resolve(String.format("param-%05d.bin", entries.size()));
        long numel = value.numel();
        entries.put(name, new Entry(file, dtype, value.shape(), numel));
        try (Scope s = Scope.open()) {
            Tensor flat = value.reshape(numel);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long from = 0; from < numel; from += chunk) {
                    long n = Math.min(chunk, numel - from);
                    try (Scope c = Scope.open()) {
                        Tensors.viewOf(buffer.asSlice(0, n * dtype.bytes()), dtype, n).copyFrom(flat.narrow(0, from, n));
                    }
                    ByteBuffer bb = buffer.asSlice(0, n * dtype.bytes()).asByteBuffer();
                    long pos = from * dtype.bytes();
                    while (bb.hasRemaining()) ch.write(bb, pos + bb.position());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write parameter " + name + " to " + file, e);
        }
    }

    long[] shape(String name) { return entry(name).shape().clone(); }

    DType dtype(String name) { return entry(name).dtype(); }

    long numel(String name) { return entry(name).numel(); }

    /** Reads elements {@code from .. from+n−1} of {@code name} (its storage dtype) into {@code dst} from byte 0. */
    void read(String name, long from, long n, MemorySegment dst) {
        Entry e = entry(name);
        check(e, name, from, n);
        long t0 = System.nanoTime();
        long bytes = n * e.dtype().bytes();
        ByteBuffer bb = dst.asSlice(0, bytes).asByteBuffer();
        long pos = from * e.dtype().bytes();
        try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.READ)) {
            while (bb.hasRemaining())
                if (ch.read(bb, pos + bb.position()) < 0) throw new IOException("unexpected end of " + e.file());
        } catch (IOException x) {
            throw new UncheckedIOException("cannot read parameter " + name + " from " + e.file(), x);
        }
        readNanos += System.nanoTime() - t0;
        readBytes += bytes;
    }

    /** Writes elements {@code from .. from+n−1} of {@code name} (its storage dtype) from {@code src}'s byte 0. */
    void write(String name, long from, long n, MemorySegment src) {
        Entry e = entry(name);
        check(e, name, from, n);
        long t0 = System.nanoTime();
        ByteBuffer bb = src.asSlice(0, n * e.dtype().bytes()).asByteBuffer();
        long pos = from * e.dtype().bytes();
        try (FileChannel ch = FileChannel.open(e.file(), StandardOpenOption.WRITE)) {
            while (bb.hasRemaining()) ch.write(bb, pos + bb.position());
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write parameter " + name + " to " + e.file(), x);
        }
        writeNanos += System.nanoTime() - t0;
    }

    /** Seconds spent in reads and writes so far, and bytes read. */
    double readSeconds() { return readNanos / 1e9; }

    double writeSeconds() { return writeNanos / 1e9; }

    long bytesRead() { return readBytes; }

    long storedBytes() {
        long n = 0;
        for (Entry e : entries.values()) n += e.numel() * e.dtype().bytes();
        return n;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no stored parameter '" + name + "'");
        return e;
    }

    private static void check(Entry e, String name, long from, long n) {
        if (from < 0 || n < 0 || from + n > e.numel()) throw new IndexOutOfBoundsException("elements " + from + " .. "
                + (from + n) + " of " + name + " (" + e.numel() + " elements)");
    }

    /** Deletes the files (scratch: leaving one behind is harmless). */
    @Override
    public void close() {
        for (Entry e : entries.values()) try {
            Files.deleteIfExists(e.file());
        } catch (IOException ignored) {
            // scratch files
        }
        entries.clear();
    }
}
