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
 * writes use plain file IO, a tensor at a time, through one reusable native buffer per direction the size of the
 * largest tensor (not a mapping), so the process's resident memory stays at the working tier whatever the depth; the
 * OS page cache may still hold recently used files.
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
            for (long[] shape : s.values()) max = Math.max(max, Tensors.numel(shape) * storage.bytes());
            shapes.add(s);
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
        LinkedHashMap<String, Tensor> w = working.take(shapes.get(i));
        long pos = 0;
        try (FileChannel ch = FileChannel.open(file(i), StandardOpenOption.READ); Scope s = Scope.open()) {
            for (var e : shapes.get(i).entrySet()) {
                long n = Tensors.numel(e.getValue()) * storage.bytes();
                ByteBuffer bb = readBuffer.asSlice(0, n).asByteBuffer();
                while (bb.hasRemaining())
                    if (ch.read(bb, pos + bb.position()) < 0) throw new IOException("unexpected end of " + file(i));
                w.get(e.getKey()).copyFrom(Tensors.viewOf(readBuffer.asSlice(0, n), storage, e.getValue())); // up-cast
                pos += n;
            }
        } catch (IOException e) {
            working.recycle(w);
            throw new UncheckedIOException("cannot read offloaded block " + i + " from " + file(i), e);
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
        try (FileChannel ch = FileChannel.open(file(i), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING); Scope s = Scope.open()) {
            for (var e : shapes.get(i).entrySet()) {
                long n = Tensors.numel(e.getValue()) * storage.bytes();
                // down-cast straight into the write buffer (no intermediate tensor)
                Tensors.viewOf(writeBuffer.asSlice(0, n), storage, e.getValue()).copyFrom(tensors.get(e.getKey()));
                ByteBuffer bb = writeBuffer.asSlice(0, n).asByteBuffer();
                while (bb.hasRemaining()) ch.write(bb, pos + bb.position());
                pos += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write offloaded block " + i + " to " + file(i), e);
        }
    }

    @Override
    public void releaseWorkingMemory() { working.close(); }

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
