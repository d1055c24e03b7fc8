package dev.frugal.zo;

import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;

/**
 * The slower tier of ZO2: holds each block's parameters in the storage dtype and hands out fp32 working copies.
 * Implementations are called from the loader and writer threads, one call per block at a time.
 */
interface BlockStore extends AutoCloseable {
    /**
     * fp32 working copies of block {@code i}, name → tensor in parameter order. The tensors are kept (outlive any
     * scope); the caller closes them (or hands them back to {@link #save}).
     */
    LinkedHashMap<String, Tensor> load(int i);

    /**
     * Down-casts {@code working} to the storage dtype and persists it as block {@code i}; the working copies are then
     * closed or kept for reuse by a later load.
     */
    void save(int i, LinkedHashMap<String, Tensor> working);

    /** Takes back a working copy that was not modified (nothing to write); frees it or keeps it for reuse. */
    default void discard(LinkedHashMap<String, Tensor> working) { working.values().forEach(Tensor::close); }

    /** Frees the fp32 working copies kept for reuse (none is in use); later loads allocate again. */
    default void releaseWorkingMemory() {}

    /** Whether {@link #load} returns the stored tensors themselves (in-memory fp32): nothing to save then. */
    boolean zeroCopy();

    /** Bytes held by the tier. */
    long storedBytes();

    @Override
    void close();
}
