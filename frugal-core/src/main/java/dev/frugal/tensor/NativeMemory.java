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
 * the tensors alive. It costs page faults on each large allocation (a few percent of a ZO2 step here).
 *
 * <p>The same as starting the process with {@code MALLOC_MMAP_THRESHOLD_=262144 MALLOC_TRIM_THRESHOLD_=1048576
 * MALLOC_ARENA_MAX=2}. A no-op (returning false) where the C library has no {@code mallopt}, e.g. musl.
 */
public final class NativeMemory {
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int M_ARENA_MAX = -8;
    /** Allocations at least this large are mapped on their own and returned to the OS when freed. */
    public static final int MMAP_THRESHOLD_BYTES = 256 << 10;

    private static volatile boolean applied;

    private NativeMemory() {}

    /**
     * Makes freed large allocations go back to the OS (process-wide, idempotent).
     *
     * @return whether glibc accepted the settings
     */
    public static synchronized boolean returnFreedMemory() {
        if (applied) return true;
        Optional<MethodHandle> mallopt = function("mallopt",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        if (mallopt.isEmpty()) return false;
        try {
            MethodHandle m = mallopt.get();
            boolean ok = (int) m.invokeExact(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1;
            ok &= (int) m.invokeExact(M_TRIM_THRESHOLD, 1 << 20) == 1;
            ok &= (int) m.invokeExact(M_ARENA_MAX, 2) == 1;
            applied = ok;
            return ok;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Whether {@link #returnFreedMemory()} took effect in this process. */
    public static boolean returnsFreedMemory() { return applied; }

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
