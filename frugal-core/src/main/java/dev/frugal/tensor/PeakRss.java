package dev.frugal.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peak resident set size of this process (Linux {@code VmHWM}), resettable so that one phase can be measured on
 * its own: {@link #reset()} first returns freed native memory to the system, then writes 5 to
 * {@code /proc/self/clear_refs}, which sets the peak to the current RSS.
 */
public final class PeakRss {
    private PeakRss() {}

    /** Peak RSS in MiB since the start or the last {@link #reset()}; -1 where {@code /proc} has no VmHWM. */
    public static double peakMb() { return field("VmHWM:"); }

    /** Current RSS in MiB; -1 where unknown. */
    public static double currentMb() { return field("VmRSS:"); }

    /**
     * CPU time of this process so far (all threads, user and system), in nanoseconds: the benches report it beside
     * wall times, which move by up to 2× between identical runs on a shared VM.
     */
    public static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Starts a new measurement: the peak becomes the current RSS. Also makes freed large allocations go back to the
     * system from now on ({@link NativeMemory#returnFreedMemory()}); {@link #resetPeak()} leaves the policy alone.
     *
     * @return whether the kernel took the reset (false where /proc/self/clear_refs is not writable)
     */
    public static boolean reset() {
        NativeMemory.returnFreedMemory();
        return resetPeak();
    }

    /**
     * As {@link #reset()} without changing the allocation policy: free heap pages go back to the system now
     * ({@link NativeMemory#trim()}), then the peak becomes the current RSS.
     *
     * @return whether the kernel took the reset
     */
    public static boolean resetPeak() {
        NativeMemory.trim();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The resident set now, split as the kernel counts it, in MiB: {@code rss} (VmRSS), {@code anon} (RssAnon: heaps,
     * malloc, tensors), {@code file} (RssFile: mapped files, mostly the shared libraries' touched pages) and
     * {@code shmem}; the JVM's heap ({@code heap_used}) for reference. Empty where {@code /proc} has no such fields.
     */
    public static java.util.Map<String, Double> breakdownMb() {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        String[][] fields = {{"rss", "VmRSS:"}, {"anon", "RssAnon:"}, {"file", "RssFile:"}, {"shmem", "RssShmem:"}};
        for (String[] f : fields) {
            double v = field(f[1]);
            if (v >= 0) m.put(f[0], v);
        }
        Runtime rt = Runtime.getRuntime();
        m.put("heap_used", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
        return m;
    }

    private static double field(String name) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith(name)) return Long.parseLong(l.replaceAll("\\D", "")) / 1024.0;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
