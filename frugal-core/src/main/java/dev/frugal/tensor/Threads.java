package dev.frugal.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import org.bytedeco.pytorch.global.torch;

/**
 * CPU thread settings. Two independent pools exist: fp32 GEMMs run on OpenBLAS (sized by {@code OPENBLAS_NUM_THREADS}
 * when the library loads, resized here through {@code openblas_set_num_threads}), every other op on ATen's OpenMP
 * pool ({@code set_num_threads}, which is per OS thread: call {@link #configure} on each worker thread too).
 */
public final class Threads {
    private Threads() {}

    /** Sets ATen intra-op threads and OpenBLAS threads to {@code n} (n >= 1). */
    public static void configure(int n) {
        if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        Backend.ensureLoaded();
        torch.set_num_threads(n);
        OpenBlas.set(n);
    }

    /**
     * Sets only the calling thread's ATen intra-op threads (for helper threads: OpenBLAS's pool is process-wide and is
     * left alone, since its size changes GEMM summation order and so the low bits of results).
     */
    public static void configureThisThread(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        Backend.ensureLoaded();
        torch.set_num_threads(n);
    }

    /** ATen intra-op threads of the calling thread. */
    public static int aten() {
        Backend.ensureLoaded();
        return torch.get_num_threads();
    }

    /** OpenBLAS threads, or empty when the symbol could not be found. */
    public static Optional<Integer> openBlas() {
        Backend.ensureLoaded();
        return OpenBlas.get();
    }

    /** The thread count to use: {@code -Dfrugal.threads}, else {@code OPENBLAS_NUM_THREADS}, else the core count. */
    public static int defaultCount() {
        String p = System.getProperty("frugal.threads");
        if (p == null || p.isBlank()) p = System.getenv("OPENBLAS_NUM_THREADS");
        if (p != null && !p.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(p.trim()));
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** OpenBLAS's thread control through FFM; touched only after libtorch loaded the library. */
    private static final class OpenBlas {
        private static final MethodHandle SET;
        private static final MethodHandle GET;

        static {
            MethodHandle set = null, get = null;
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup("libopenblas.so.0", Arena.global());
                Linker linker = Linker.nativeLinker();
                set = lib.find("openblas_set_num_threads").map(s -> linker.downcallHandle(s,
                        FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT))).orElse(null);
                get = lib.find("openblas_get_num_threads").map(s -> linker.downcallHandle(s,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT))).orElse(null);
            } catch (RuntimeException | LinkageError e) {
                // no OpenBLAS here (e.g. a CUDA build linking MKL): GEMM threads follow ATen then
            }
            SET = set;
            GET = get;
        }

        static void set(int n) {
            if (SET == null) return;
            try {
                SET.invokeExact(n);
            } catch (Throwable e) {
                throw new IllegalStateException("openblas_set_num_threads failed", e);
            }
        }

        static Optional<Integer> get() {
            if (GET == null) return Optional.empty();
            try {
                return Optional.of((int) GET.invokeExact());
            } catch (Throwable e) {
                return Optional.empty();
            }
        }
    }
}
