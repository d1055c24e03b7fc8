package dev.frugal.zo;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reusable fp32 tensors for the z of the streamed blocks, so that a step draws its ~2 × (parameter count) normals into
 * the same few buffers instead of allocating and freeing them block after block: fewer page faults, and no heap
 * fragmentation inflating the resident set. Held: one block's worth of z·ε (the current step's, alive while the block
 * computes) plus one tensor per distinct shape for the previous step's z (used and overwritten one at a time).
 */
final class PerturbationBuffers implements AutoCloseable {
    private final Map<String, Tensor> slots = new HashMap<>();

    /** The buffer called {@code key}, shaped {@code shape} (reallocated when the shape changes); contents undefined. */
    Tensor slot(String key, long[] shape) {
        Tensor t = slots.get(key);
        if (t != null && Arrays.equals(t.shape(), shape)) return t;
        if (t != null) t.close();
        t = Tensors.empty(DType.F32, Device.CPU, shape).keep();
        slots.put(key, t);
        return t;
    }

    @Override
    public void close() {
        slots.values().forEach(Tensor::close);
        slots.clear();
    }
}
