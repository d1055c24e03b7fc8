package dev.frugal.influence.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peak resident set size of this process while a piece of work runs: a daemon thread samples Linux's
 * {@code VmRSS} every 5 ms and keeps the maximum, so each method's peak can be read separately within one JVM
 * (the kernel's own {@code VmHWM} only grows; resetting it through {@code /proc/self/clear_refs} crashed the JVM
 * here). Elsewhere it reports NaN.
 */
public final class PeakRss implements AutoCloseable {
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile double peak;

    private PeakRss() {
        peak = current();
        sampler = Thread.ofPlatform().daemon().name("peak-rss").start(() -> {
            while (running) {
                double r = current();
                if (r > peak) peak = r;
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Starts sampling. */
    public static PeakRss start() { return new PeakRss(); }

    /** The largest RSS seen so far, in MB. */
    public double megabytes() {
        double r = current();
        return Math.max(peak, r);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    /** VmRSS in MB, or NaN when unavailable. */
    static double current() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
