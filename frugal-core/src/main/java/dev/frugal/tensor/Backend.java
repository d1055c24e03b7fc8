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
    // must stay strongly reachable for as long as libtorch may call it
    private static final StringSupplier NO_TRACE = new StringSupplier() {
        @Override public BytePointer call() { return new BytePointer(""); }
    };

    private Backend() {}

    /** Loads the native libraries (1.5-2.5 s the first time); idempotent and thread-safe. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (Backend.class) {
            if (loaded) return;
            Loader.load(torch.class);
            torch.SetStackTraceFetcher(NO_TRACE);
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
     * @throws IllegalArgumentException naming the device and what to do
     */
    public static void requireDevice(Device device) {
        if (!device.isCuda()) return;
        long n = cudaDeviceCount();
        if (n == 0) throw new IllegalArgumentException("device " + device + " requested but libtorch sees no CUDA device:"
                + " build with -Pcuda or launch through the GPU recipe in docs/gpu.md");
        if (device.index() >= n) throw new IllegalArgumentException("device " + device + " requested but only " + n
                + " CUDA device(s) are visible");
    }
}
