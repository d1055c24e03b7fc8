package dev.frugal.zo;

import dev.frugal.model.BlockSource;
import dev.frugal.model.ParamGroup;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
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
    private final WorkingSets working = new WorkingSets();
    private final boolean zeroCopy;

    private MemoryBlockStore(boolean zeroCopy) { this.zeroCopy = zeroCopy; }

    /** The model's own fp32 blocks, used in place (nothing is copied, loaded or saved). */
    static MemoryBlockStore inPlace(List<ParamGroup> groups) {
        MemoryBlockStore s = new MemoryBlockStore(true);
        for (ParamGroup g : groups) s.stored.add(new LinkedHashMap<>(g.asMap()));
        return s;
    }

    /**
     * Takes every block from {@code source} one at a time and keeps it in {@code storage}; at most one fp32 block is
     * resident meanwhile.
     */
    static MemoryBlockStore copyOf(BlockSource source, DType storage) {
        MemoryBlockStore s = new MemoryBlockStore(false);
        for (int i = 0; i < source.numBlocks(); i++) {
            LinkedHashMap<String, Tensor> fp32 = source.take(i);
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            try (Scope sc = Scope.open()) {
                for (var e : fp32.entrySet()) m.put(e.getKey(), e.getValue().to(storage).contiguous().cloneTensor().keep());
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
            for (var e : stored.get(i).entrySet()) w.get(e.getKey()).copyFrom(e.getValue()); // up-casts (exact)
        }
        return w;
    }

    @Override
    public void save(int i, LinkedHashMap<String, Tensor> w) {
        if (zeroCopy) return;
        try (Scope s = Scope.open()) {
            for (var e : w.entrySet()) stored.get(i).get(e.getKey()).copyFrom(e.getValue()); // rounds to storage dtype
        }
        working.recycle(w);
    }

    @Override
    public void discard(LinkedHashMap<String, Tensor> w) {
        if (!zeroCopy) working.recycle(w);
    }

    @Override
    public void releaseWorkingMemory() { working.close(); }

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
        working.close();
    }
}
