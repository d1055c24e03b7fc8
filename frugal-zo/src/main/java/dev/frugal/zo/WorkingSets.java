package dev.frugal.zo;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Recycled fp32 working copies of blocks. The working tier holds at most K blocks at once, so instead of allocating
 * every block's fp32 tensors on load and freeing them after write-back (K × block size of fresh pages per block,
 * page faults on the loader thread, and a fragmented malloc heap inflating the resident set), loads fill a set that
 * a previous write-back handed back. Called from the loader and writer threads.
 */
final class WorkingSets implements AutoCloseable {
    private final ConcurrentLinkedDeque<List<Tensor>> free = new ConcurrentLinkedDeque<>();
    private final DType dtype;
    private final Device device;

    /** Sets of {@code dtype} tensors on {@code device} (the working tier's). */
    WorkingSets(DType dtype, Device device) {
        this.dtype = dtype;
        this.device = device;
    }

    /** fp32 sets on the CPU. */
    WorkingSets() { this(DType.F32, Device.CPU); }

    /**
     * Uninitialised working-tier tensors for a block with {@code shapes} (name → shape in parameter order): a recycled set when
     * one has these shapes, else fresh. The tensors are kept; hand them back with {@link #recycle}.
     */
    LinkedHashMap<String, Tensor> take(Map<String, long[]> shapes) {
        List<Tensor> set = free.poll();
        if (set != null && !fits(set, shapes)) {
            set.forEach(Tensor::close);
            set = null;
        }
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        if (set != null) {
            int j = 0;
            for (String name : shapes.keySet()) m.put(name, set.get(j++));
            return m;
        }
        // one allocation per set, each tensor a contiguous view of it: a block's set is one mapping of its own, never
        // pieces of the malloc heap among the activations (a fragmented heap inflated the resident set)
        long total = 0;
        for (long[] shape : shapes.values()) total += Tensors.numel(shape);
        try (Scope s = Scope.open()) {
            Tensor flat = Tensors.empty(dtype, device, total);
            long off = 0;
            for (var e : shapes.entrySet()) {
                long n = Tensors.numel(e.getValue());
                m.put(e.getKey(), flat.narrow(0, off, n).view(e.getValue()).keep());
                off += n;
            }
        }
        return m;
    }

    /** Hands a working set back for the next load (its tensors stay allocated). */
    void recycle(LinkedHashMap<String, Tensor> working) { free.push(new ArrayList<>(working.values())); }

    private static boolean fits(List<Tensor> set, Map<String, long[]> shapes) {
        if (set.size() != shapes.size()) return false;
        int j = 0;
        for (long[] s : shapes.values()) if (!Arrays.equals(set.get(j++).shape(), s)) return false;
        return true;
    }

    @Override
    public void close() {
        for (List<Tensor> set; (set = free.poll()) != null; ) set.forEach(Tensor::close);
    }
}
