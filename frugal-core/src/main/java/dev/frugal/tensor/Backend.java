package dev.frugal.tensor;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.StringSupplier;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads libtorch once and reports what it is. Torch errors are made cheap (no C++ backtrace symbolisation: 6 ms to
 * 0.1 ms each) and short.
 */
public final class Backend {
    /** libtorch version of the JavaCPP presets frugal is built against. */
    public static final String LIBTORCH_VERSION = "2.10.0";
    private static volatile boolean loaded;
    // must stay strongly reachable for as long as libtorch may call it; created after the environment is set up
    // (creating it loads libtorch)
    private static StringSupplier noTrace;

    private Backend() {}

    /**
     * Environment that libtorch and libgomp read once, set before they load unless the user set it:
     * <ul>
     *   <li>{@code OMP_WAIT_POLICY=PASSIVE}. libtorch's elementwise ops run on an OpenMP pool and its GEMMs on
     *   OpenBLAS's own threads. With OpenMP's default wait policy, the OpenMP threads spin for a while after every
     *   parallel region, taking the cores that OpenBLAS's threads need for the next GEMM: measured on 2 cores, an OPT
     *   block forward (hidden 1024, 512 tokens) took 175 ms instead of 99 ms, a linear layer with bias twice its
     *   bias-free time.</li>
     *   <li>{@code THP_MEM_ALLOC_ENABLE=1}: libtorch's CPU allocator asks for transparent huge pages
     *   ({@code madvise(MADV_HUGEPAGE)}) on its allocations of 2 MB or more. A tensor of 32 MB or more is a fresh
     *   mapping under either of {@link NativeMemory}'s policies, and its first write faults page by page: filling a
     *   fresh 67 MB tensor took 154–192 ms on the 2-vCPU VM against 27–36 ms for a reused one, 45–57 ms with huge
     *   pages. On {@code bench zo --mid} (4 pairs, in turn) the whole process took 0.72× the wall time and 0.74× the
     *   CPU time with it, its peak RSS +7 MB (docs/zo2-bench.md). It costs memory where freed memory is reused
     *   unevenly: FlashDP's bench peak rose by 123 MB (docs/dp.md). A kernel with transparent huge pages off ignores
     *   the advice.</li>
     * </ul>
     */
    private static void nativeEnvironmentUnlessSet() {
        setUnlessSet("OMP_WAIT_POLICY", "PASSIVE");
        setUnlessSet("THP_MEM_ALLOC_ENABLE", "1");
    }

    private static void setUnlessSet(String name, String value) {
        if (System.getenv(name) != null) return;
        var setenv = NativeMemory.function("setenv", java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT));
        String fix = "; set it in the environment";
        if (setenv.isEmpty()) { // no native access: libtorch still works, only slower
            System.err.println("frugal: could not set " + name + "=" + value + fix);
            return;
        }
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            int rc = (int) setenv.get().invokeExact(a.allocateFrom(name), a.allocateFrom(value), 0);
            if (rc != 0) System.err.println("frugal: could not set " + name + "=" + value + " (setenv returned " + rc + ")" + fix);
        } catch (Throwable e) {
            System.err.println("frugal: could not set " + name + "=" + value + " (" + e + ")" + fix);
        }
    }

    /** Loads the native libraries (1.5-2.5 s the first time); idempotent and thread-safe. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Backend.class) {
            if (loaded) return;
            nativeEnvironmentUnlessSet();
            Loader.load(torch.class);
            noTrace = new StringSupplier() {
                @Override public BytePointer call() { return new BytePointer(""); }
            };
            torch.SetStackTraceFetcher(noTrace);
            loaded = true;
        }
    }

    /** Whether a CUDA device is visible to this libtorch build. */
    public static boolean cudaAvailable() {
        ensureLoaded();
        try {
            return torch.cuda_is_available();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Number of visible CUDA devices (0 on a CPU-only build). */
    public static long cudaDeviceCount() {
        ensureLoaded();
        try {
            return torch.cuda_device_count();
        } catch (Throwable e) {
            return 0;
        }
    }

    /** libtorch's build configuration string ({@code show_config()}). */
    public static String buildConfig() {
        ensureLoaded();
        return torch.show_config().getString();
    }

    /**
     * Checks that a device can be used here.
     *
     * @throws dev.frugal.InvalidSettingException ({@code device}) naming the device and what to do: a device the user
     *                                            chose that this machine does not have
     */
    public static void requireDevice(Device device) {
        if (!device.isCuda()) return;
        long n = cudaDeviceCount();
        if (n == 0) throw new dev.frugal.InvalidSettingException("device", device + " is requested but libtorch sees no"
                + " CUDA device: build with -Pcuda or launch through the GPU recipe in docs/gpu.md");
        if (device.index() >= n) throw new dev.frugal.InvalidSettingException("device", device + " is requested but only "
                + n + " CUDA device(s) are visible");
    }
}
