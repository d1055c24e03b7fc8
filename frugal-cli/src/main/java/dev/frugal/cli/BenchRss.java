package dev.frugal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident-set figures of this process from {@code /proc/self/status} (Linux), in MiB; −1 elsewhere. */
final class BenchRss {
    private BenchRss() {}

    static double rssMb() { return field("VmRSS:"); }

    /** Peak resident set (VmHWM). */
    static double peakMb() { return field("VmHWM:"); }

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
