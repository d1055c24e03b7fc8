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
     * libtorch's elementwise ops run on an OpenMP pool and its GEMMs on OpenBLAS's own threads. With OpenMP's default
     * wait policy, the OpenMP threads spin for a while after every parallel region, taking the cores that OpenBLAS's
     * threads need for the next GEMM: measured on 2 cores, an OPT block forward (hidden 1024, 512 tokens) took 175 ms
     * instead of 99 ms, a linear layer with bias twice its bias-free time. So unless the user set
     * {@code OMP_WAIT_POLICY}, it is set to {@code PASSIVE} before libgomp loads (it reads the variable once, when
     * libtorch brings it in).
     */
    private static void passiveOpenMpUnlessSet() {
        if (System.getenv("OMP_WAIT_POLICY") != null) return;
        var setenv = NativeMemory.function("setenv", java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT));
        if (setenv.isEmpty()) { // no native access: libtorch still works, only slower on few cores
            System.err.println("frugal: could not set OMP_WAIT_POLICY=PASSIVE; set it in the environment");
            return;
        }
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            int rc = (int) setenv.get().invokeExact(a.allocateFrom("OMP_WAIT_POLICY"), a.allocateFrom("PASSIVE"), 0);
            if (rc != 0) System.err.println("frugal: could not set OMP_WAIT_POLICY=PASSIVE (setenv returned " + rc + ")");
        } catch (Throwable e) {
            System.err.println("frugal: could not set OMP_WAIT_POLICY=PASSIVE (" + e + "); set it in the environment");
        }
    }

    /** Loads the native libraries (1.5-2.5 s the first time); idempotent and thread-safe. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Backend.class) {
            if (loaded) return;
            passiveOpenMpUnlessSet();
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
