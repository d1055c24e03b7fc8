package dev.frugal.tensor;

import dev.frugal.InvalidSettingException;
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
        if (n < 1) throw new InvalidSettingException("threads", "must be >= 1, got " + n);
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

    /**
     * The cores this process may use: {@code -Dfrugal.cores} (a Spark executor given fewer cores than its machine
     * has), else the JVM's count.
     */
    public static int cores() {
        String p = System.getProperty("frugal.cores");
        if (p != null && !p.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(p.trim()));
            } catch (NumberFormatException ignored) {
                // fall through to the JVM's count
            }
        }
        return Runtime.getRuntime().availableProcessors();
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

    // ---- added for dp-speed
    private static volatile java.util.concurrent.ExecutorService splitPool;
    private static volatile int splitPoolSize;

    /**
     * Runs {@code parts} independent tasks at once, one per pool thread, each with single-threaded ATen and OpenBLAS,
     * and returns their results in order. For work made of many small GEMMs (per-sample gradients), where OpenBLAS's
     * own threading synchronises once per call (measured here: a batch of 16 per-sample GEMMs ran 2–6× slower on 2
     * BLAS threads than on 1), splitting the batch across threads is the faster parallelism. OpenBLAS's process-wide
     * thread count is set to 1 for the duration and restored when the last of overlapping calls ends; BLAS work that
     * other threads run meanwhile runs single-threaded (the calling thread itself waits here). With
     * {@code parts ≤ 1}, or when OpenBLAS's thread count cannot be controlled, the tasks run one after another on the
     * calling thread. Each task must open its own {@link Scope} and {@linkplain Tensor#keep() keep} what it returns.
     * Tasks run with one ATen thread, so a split inside a task runs inline (no nested pool use).
     */
    public static <T> java.util.List<T> runSplit(int parts, java.util.function.IntFunction<T> task) {
        java.util.List<T> out = new java.util.ArrayList<>(parts);
        Optional<Integer> blas = OpenBlas.get();
        if (parts <= 1 || blas.isEmpty()) {
            for (int i = 0; i < parts; i++) out.add(task.apply(i));
            return out;
        }
        java.util.concurrent.ExecutorService pool = splitPool(parts);
        enterSingleThreadedBlas(blas.get());
        try {
            java.util.List<java.util.concurrent.Future<T>> futures = new java.util.ArrayList<>(parts);
            for (int i = 0; i < parts; i++) {
                int part = i;
                futures.add(pool.submit(() -> task.apply(part)));
            }
            for (java.util.concurrent.Future<T> f : futures) out.add(f.get());
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for split work", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } finally {
            leaveSingleThreadedBlas();
        }
    }

    private static final Object SPLIT_LOCK = new Object();
    private static int activeSplits;
    private static int blasBeforeSplits;

    /** The first of overlapping splits (several caller threads) saves the BLAS thread count; the last restores it. */
    private static void enterSingleThreadedBlas(int current) {
        synchronized (SPLIT_LOCK) {
            if (activeSplits++ == 0) {
                blasBeforeSplits = current;
                OpenBlas.set(1);
            }
        }
    }

    private static void leaveSingleThreadedBlas() {
        synchronized (SPLIT_LOCK) {
            if (--activeSplits == 0) OpenBlas.set(blasBeforeSplits);
        }
    }

    private static synchronized java.util.concurrent.ExecutorService splitPool(int parts) {
        if (splitPool == null || splitPoolSize < parts) {
            if (splitPool != null) splitPool.shutdown();
            splitPool = java.util.concurrent.Executors.newFixedThreadPool(parts, r -> {
                Thread t = new Thread(() -> {
                    torch.set_num_threads(1); // ATen's intra-op pool is per OS thread
                    r.run();
                }, "frugal-split");
                t.setDaemon(true);
                return t;
            });
            splitPoolSize = parts;
        }
        return splitPool;
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

    // ---- added for influence
    /**
     * Runs {@code work} on the calling thread with OpenBLAS single-threaded, restoring its thread count afterwards
     * (shared with {@link #runSplit}'s bookkeeping). {@link Linalg} runs its LAPACK calls this way: {@code linalg_solve}
     * on a 650×650 system with 2 OpenBLAS (pthreads) threads killed the JVM with SIGSEGV and no error file here.
     */
    public static <T> T withSingleThreadedBlas(java.util.function.Supplier<T> work) {
        Optional<Integer> blas = OpenBlas.get();
        if (blas.isEmpty()) return work.get();
        enterSingleThreadedBlas(blas.get());
        try {
            return work.get();
        } finally {
            leaveSingleThreadedBlas();
        }
    }
}
