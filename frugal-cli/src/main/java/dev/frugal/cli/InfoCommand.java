package dev.frugal.cli;

import dev.frugal.tensor.Backend;
import dev.frugal.tensor.Threads;
import java.io.PrintWriter;
import java.nio.file.Files;
import dev.frugal.data.DatasetRegistry;
import dev.frugal.data.FrugalHome;
import dev.frugal.data.InstalledDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code frugal info}: versions, threads, the libtorch backend, CUDA, and the installed data sets. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show versions, thread settings, the libtorch backend, CUDA devices and installed data sets.")
final class InfoCommand implements Callable<Integer> {
    @ParentCommand
    FrugalCommand frugal;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        frugal.configureThreads();
        PrintWriter out = spec.commandLine().getOut();
        row(out, "frugal", FrugalCommand.version());
        row(out, "java", Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")");
        row(out, "classes", classesLocation());
        row(out, "libtorch", Backend.LIBTORCH_VERSION + " (JavaCPP presets, " + System.getProperty("os.arch") + ")");
        row(out, "threads", "ATen " + Threads.aten() + ", OpenBLAS "
                + Threads.openBlas().map(String::valueOf).orElse("n/a (no OpenBLAS in this build)")
                + " (OPENBLAS_NUM_THREADS=" + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "unset") + ")");
        List<String> build = buildSummary(Backend.buildConfig());
        for (int i = 0; i < build.size(); i++) row(out, i == 0 ? "backend" : "", build.get(i));
        long cuda = Backend.cudaDeviceCount();
        row(out, "cuda", Backend.cudaAvailable() ? "available, " + cuda + " device(s)"
                : "not available (CPU build; see docs/gpu.md to use a GPU)");
        Path home = FrugalHome.root();
        row(out, "FRUGAL_HOME", home + (System.getenv(FrugalHome.ENV) == null ? " (default; set FRUGAL_HOME to move it)" : ""));
        List<InstalledDataset> sets = DatasetRegistry.atHome().list();
        for (int i = 0; i < sets.size(); i++) {
            InstalledDataset d = sets.get(i);
            row(out, i == 0 ? "data sets" : "", String.format("%-9s %s", d.name().cliName(),
                    d.status().name().toLowerCase(java.util.Locale.ROOT)));
        }
        row(out, "", "(install with: frugal data fetch NAME; list with: frugal data list)");
        out.flush();
        return 0;
    }

    /**
     * Where this command's classes were loaded from: the CLI jar, or its snapshot under {@code
     * $FRUGAL_HOME/cache/jars} when started by the launcher (which runs from a copy so that a rebuild cannot break it).
     */
    static String classesLocation() {
        try {
            var src = InfoCommand.class.getProtectionDomain().getCodeSource();
            return src == null ? "unknown" : Path.of(src.getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException | SecurityException | IllegalArgumentException e) {
            return "unknown";
        }
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-12s %s%n", key, value);
    }

    /**
     * The lines of libtorch's {@code show_config()} a user needs to judge CPU speed: compiler line dropped, the BLAS,
     * LAPACK, OpenMP and CPU-capability lines kept, and from the long "Build settings" line only BLAS_INFO,
     * LAPACK_INFO, USE_CUDA, USE_OPENMP.
     */
    static List<String> buildSummary(String showConfig) {
        List<String> keep = new ArrayList<>();
        for (String raw : showConfig.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("- ")) line = line.substring(2);
            if (line.startsWith("Build settings:")) {
                List<String> settings = new ArrayList<>();
                for (String kv : line.substring("Build settings:".length()).split(",")) {
                    String s = kv.strip();
                    if (s.startsWith("BLAS_INFO=") || s.startsWith("LAPACK_INFO=") || s.startsWith("USE_CUDA=")
                            || s.startsWith("USE_OPENMP=")) settings.add(s);
                }
                if (!settings.isEmpty()) keep.add(String.join(", ", settings));
            } else if (line.contains("BLAS") || line.contains("LAPACK") || line.contains("OpenMP")
                    || line.startsWith("CPU capability")) {
                keep.add(line);
            }
        }
        if (keep.isEmpty()) keep.add("(show_config() reported nothing about BLAS or OpenMP)");
        return keep;
    }
}
