package dev.frugal.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * How glibc's malloc hands freed tensor memory back to the operating system. By default glibc raises its mmap
 * threshold to the size of the largest block freed so far (up to 32 MB), so after the first large tensor is freed,
 * tensors of a few MB come from the heap arenas, and freed ones stay in the process as retained free space (hundreds
 * of MB for a model streamed block by block, more with one arena per thread). {@link #returnFreedMemory()} fixes the
 * threshold: every allocation of 256 KB or more is its own mapping, unmapped when freed, so the resident set follows
 * the tensors alive. It costs page faults on each large allocation: every activation of a forward lands on fresh,
 * zeroed pages (measured with {@code frugal bench zo --profile} on the bench model: a forward took 4.47 s under it
 * against 3.10 s under {@link #reuseFreedMemory()}; layer norms, ReLU and residual adds 3.8–4.4× slower, the GEMMs
 * 1.2–1.4×).
 *
 * <p>{@link #reuseFreedMemory()} is the fast policy: glibc's largest fixed mmap threshold (32 MB) and a 64 MB trim
 * threshold, so activations come back from the heap already mapped; the process keeps up to its peak of live
 * activations as free heap, and how much varies with fragmentation (on the bench model +110 to +220 MB in memory;
 * on the offloaded tiers +30 to +400 MB between runs). ZO2 engines set a policy only when the process has none yet:
 * in-memory engines this one, offloading engines {@link #returnFreedMemory()}, whose resident set is predictable. A
 * process has one policy: the last call sets it.
 *
 * <p>{@code returnFreedMemory} is the same as starting the process with {@code MALLOC_MMAP_THRESHOLD_=262144
 * MALLOC_TRIM_THRESHOLD_=1048576 MALLOC_ARENA_MAX=2}. Both are no-ops (returning false) where the C library has no
 * {@code mallopt}, e.g. musl.
 */
public final class NativeMemory {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int M_ARENA_MAX = -8;
    /** Allocations at least this large are mapped on their own and returned to the OS when freed. */
    public static final int MMAP_THRESHOLD_BYTES = 256 << 10;

    /** Allocations below this come from the heap under {@link #reuseFreedMemory()} (glibc's largest fixed value). */
    public static final int REUSE_MMAP_THRESHOLD_BYTES = 32 << 20;

    /** The allocation policies of this class. */
    public enum Policy {
        /** Nothing set: glibc's own dynamic threshold. */
        DEFAULT,
        /** {@link #returnFreedMemory()}. */
        RETURN,
        /** {@link #reuseFreedMemory()}. */
        REUSE
    }

    private static volatile Policy policy = Policy.DEFAULT;

    private NativeMemory() {}

    /**
     * Makes freed large allocations go back to the OS (process-wide, idempotent).
     *
     * @return whether glibc accepted the settings
     */
    public static synchronized boolean returnFreedMemory() {
        return policy == Policy.RETURN || apply(Policy.RETURN, MMAP_THRESHOLD_BYTES, 1 << 20);
    }

    /**
     * Makes freed allocations below 32 MB stay mapped for the next ones (process-wide, idempotent): the fast policy.
     *
     * @return whether glibc accepted the settings
     */
    public static synchronized boolean reuseFreedMemory() {
        return policy == Policy.REUSE || apply(Policy.REUSE, REUSE_MMAP_THRESHOLD_BYTES, 64 << 20);
    }

    private static boolean apply(Policy p, int mmapThreshold, int trimThreshold) {
        Optional<MethodHandle> mallopt = function("mallopt",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        if (mallopt.isEmpty()) return false;
        try {
            MethodHandle m = mallopt.get();
            boolean ok = (int) m.invokeExact(M_MMAP_THRESHOLD, mmapThreshold) == 1;
            ok &= (int) m.invokeExact(M_TRIM_THRESHOLD, trimThreshold) == 1;
            ok &= (int) m.invokeExact(M_ARENA_MAX, 2) == 1;
            if (ok) policy = p;
            return ok;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Hands the C library's free heap pages back to the system now ({@code malloc_trim(0)}): after a large release
     * (e.g. a model's float32 weights dropped) under a policy that keeps freed memory mapped.
     *
     * @return whether memory was released (false also where the C library has no {@code malloc_trim})
     */
    public static boolean trim() {
        Optional<MethodHandle> trim = function("malloc_trim", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        if (trim.isEmpty()) return false;
        try {
            return (int) trim.get().invokeExact(0L) == 1;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Whether {@link #returnFreedMemory()} is this process's policy. */
    public static boolean returnsFreedMemory() { return policy == Policy.RETURN; }

    /** This process's allocation policy. */
    public static Policy policy() { return policy; }

    /** A C library function as a method handle (empty where it is missing or native access is refused). */
    static Optional<MethodHandle> function(String name, FunctionDescriptor d) {
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> sym = linker.defaultLookup().find(name);
            return sym.map(s -> linker.downcallHandle(s, d));
        } catch (RuntimeException | LinkageError e) { // restricted access refused, or no native linker
            return Optional.empty();
        }
    }
}
