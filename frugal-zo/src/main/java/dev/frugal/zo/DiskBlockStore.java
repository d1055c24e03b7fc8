package dev.frugal.zo;

import dev.frugal.model.BlockSource;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Blocks in files on disk, one file per block holding its tensors back to back in the storage dtype. Reads and
 * writes use plain file IO into one reusable native buffer per direction (not a mapping), so the process's resident
 * memory stays at the working tier whatever the depth; the OS page cache may still hold recently used files.
 */
final class DiskBlockStore implements BlockStore {
    private final Path dir;
    private final DType storage;
    private final List<LinkedHashMap<String, long[]>> shapes = new ArrayList<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment readBuffer;
    private final MemorySegment writeBuffer;
    private final WorkingSets working = new WorkingSets();

    /**
     * Takes every block from {@code source} one at a time and writes it to {@code dir}; at most one fp32 block is
     * resident meanwhile.
     */
    DiskBlockStore(BlockSource source, DType storage, Path dir) {
        this.dir = dir;
        this.storage = storage;
        long max = 0;
        for (int i = 0; i < source.numBlocks(); i++) {
            LinkedHashMap<String, long[]> s = source.shapes(i);
            long bytes = 0;
            for (long[] shape : s.values()) bytes += Tensors.numel(shape) * storage.bytes();
            shapes.add(s);
            max = Math.max(max, bytes);
        }
        readBuffer = arena.allocate(Math.max(1, max), 64);
        writeBuffer = arena.allocate(Math.max(1, max), 64);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the offload directory " + dir, e);
        }
        for (int i = 0; i < source.numBlocks(); i++) {
            LinkedHashMap<String, Tensor> w = source.take(i);
            write(i, w);
            w.values().forEach(Tensor::close);
        }
    }

    private Path file(int i) { return dir.resolve(String.format("block-%05d.bin", i)); }

    @Override
    public LinkedHashMap<String, Tensor> load(int i) {
        long total = 0;
        for (long[] s : shapes.get(i).values()) total += Tensors.numel(s) * storage.bytes();
        try (FileChannel ch = FileChannel.open(file(i), StandardOpenOption.READ)) {
            ByteBuffer bb = readBuffer.asSlice(0, total).asByteBuffer();
            while (bb.hasRemaining()) if (ch.read(bb) < 0) throw new IOException("unexpected end of " + file(i));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read offloaded block " + i + " from " + file(i), e);
        }
        LinkedHashMap<String, Tensor> w = working.take(shapes.get(i));
        long pos = 0;
        try (Scope s = Scope.open()) {
            for (var e : shapes.get(i).entrySet()) {
                long n = Tensors.numel(e.getValue()) * storage.bytes();
                w.get(e.getKey()).copyFrom(Tensors.viewOf(readBuffer.asSlice(pos, n), storage, e.getValue())); // up-cast
                pos += n;
            }
        }
        return w;
    }

    @Override
    public void save(int i, LinkedHashMap<String, Tensor> w) {
        write(i, w);
        working.recycle(w);
    }

    @Override
    public void discard(LinkedHashMap<String, Tensor> w) { working.recycle(w); }

    private void write(int i, java.util.Map<String, Tensor> tensors) {
        long pos = 0;
        try (Scope s = Scope.open()) {
            for (var e : shapes.get(i).entrySet()) {
                long n = Tensors.numel(e.getValue()) * storage.bytes();
                // down-cast straight into the write buffer (no intermediate tensor)
                Tensors.viewOf(writeBuffer.asSlice(pos, n), storage, e.getValue()).copyFrom(tensors.get(e.getKey()));
                pos += n;
            }
        }
        try (FileChannel ch = FileChannel.open(file(i), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bb = writeBuffer.asSlice(0, pos).asByteBuffer();
            while (bb.hasRemaining()) ch.write(bb);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write offloaded block " + i + " to " + file(i), e);
        }
    }

    @Override
    public boolean zeroCopy() { return false; }

    @Override
    public long storedBytes() {
        long n = 0;
        for (var m : shapes) for (long[] s : m.values()) n += Tensors.numel(s) * storage.bytes();
        return n;
    }

    @Override
    public void close() {
        working.close();
        arena.close();
        for (int i = 0; i < shapes.size(); i++) try {
            Files.deleteIfExists(file(i));
        } catch (IOException ignored) {
            // scratch files; leaving one behind is harmless
        }
    }
}
