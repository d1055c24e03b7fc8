package dev.frugal.zo;

import dev.frugal.model.BlockSource;
import dev.frugal.model.ParamGroup;
import dev.frugal.tensor.Cuda;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Blocks held in host memory in the storage dtype. With fp32 storage and no offloading the stored tensors are the
 * working tensors (zero copy); otherwise each load up-casts a fresh fp32 copy and each save rounds it back into the
 * stored tensor in place.
 */
final class MemoryBlockStore implements BlockStore {
    private final List<LinkedHashMap<String, Tensor>> stored = new ArrayList<>();
    private final List<LinkedHashMap<String, long[]>> shapes = new ArrayList<>();
    private final WorkingSets working;
    private final boolean zeroCopy;
    private final Device device;

    private MemoryBlockStore(boolean zeroCopy, WorkingSets working, Device device) {
        this.zeroCopy = zeroCopy;
        this.working = working;
        this.device = device;
    }

    /** The model's own fp32 blocks, used in place (nothing is copied, loaded or saved). */
    static MemoryBlockStore inPlace(List<ParamGroup> groups) {
        MemoryBlockStore s = new MemoryBlockStore(true, null, Device.CPU);
        for (ParamGroup g : groups) s.stored.add(new LinkedHashMap<>(g.asMap()));
        return s;
    }

    /**
     * Takes every block from {@code source} one at a time and keeps it in {@code storage}; at most one fp32 block is
     * resident meanwhile. Working copies are fp32 on the CPU.
     */
    static MemoryBlockStore copyOf(BlockSource source, DType storage) {
        return copyOf(source, storage, DType.F32, Device.CPU);
    }

    /**
     * Like {@link #copyOf(BlockSource, DType)}, with working copies of {@code compute} dtype on {@code device}. For a
     * CUDA device the stored blocks are in pinned (page-locked) host memory, and loads and saves are copies on the
     * calling thread's current stream (the streamer's side streams), awaited before the block is handed on.
     */
    static MemoryBlockStore copyOf(BlockSource source, DType storage, DType compute, Device device) {
        MemoryBlockStore s = new MemoryBlockStore(false, new WorkingSets(compute, device), device);
        for (int i = 0; i < source.numBlocks(); i++) {
            LinkedHashMap<String, Tensor> fp32 = source.take(i);
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            try (Scope sc = Scope.open()) {
                for (var e : fp32.entrySet()) {
                    Tensor src = e.getValue();
                    Tensor t = device.isCuda() // straight into pinned memory (from the device when drawn there)
                            ? Tensors.emptyPinned(storage, src.shape()).copyFrom(src)
                            : src.to(storage).contiguous().cloneTensor();
                    m.put(e.getKey(), t.keep());
                }
            }
            fp32.values().forEach(Tensor::close);
            s.stored.add(m);
            LinkedHashMap<String, long[]> sh = new LinkedHashMap<>();
            for (var e : m.entrySet()) sh.put(e.getKey(), e.getValue().shape());
            s.shapes.add(sh);
        }
        return s;
    }

    @Override
    public LinkedHashMap<String, Tensor> load(int i) {
        if (zeroCopy) return stored.get(i);
        LinkedHashMap<String, Tensor> w = working.take(shapes.get(i));
        try (Scope s = Scope.open()) {
            // up-casts (exact); host → device asynchronously on this thread's stream
            for (var e : stored.get(i).entrySet()) w.get(e.getKey()).copyFrom(e.getValue(), device.isCuda());
        }
        if (device.isCuda()) Cuda.syncCurrentStream(device);
        return w;
    }

    @Override
    public void save(int i, LinkedHashMap<String, Tensor> w) {
        if (zeroCopy) return;
        try (Scope s = Scope.open()) {
            for (var e : w.entrySet()) stored.get(i).get(e.getKey()).copyFrom(e.getValue()); // rounds to storage dtype
        }
        if (device.isCuda()) Cuda.syncCurrentStream(device);
        working.recycle(w);
    }

    @Override
    public void discard(LinkedHashMap<String, Tensor> w) {
        if (!zeroCopy) working.recycle(w);
    }

    @Override
    public void releaseWorkingMemory() {
        if (working != null) working.close();
    }

    @Override
    public boolean zeroCopy() { return zeroCopy; }

    @Override
    public long storedBytes() {
        long n = 0;
        for (var m : stored) for (Tensor t : m.values()) n += t.nbytes();
        return n;
    }

    @Override
    public void close() {
        if (zeroCopy) return; // the model owns them
        for (var m : stored) m.values().forEach(Tensor::close);
        stored.clear();
        if (working != null) working.close();
    }
}
