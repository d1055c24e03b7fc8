package dev.frugal.cli;

import dev.frugal.tensor.Backend;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Threads;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code frugal} command: global options shared by every subcommand, and the subcommands themselves. The global
 * options are inherited, so {@code frugal --threads 2 generate ...} and {@code frugal generate --threads 2 ...} mean
 * the same. Nothing native is touched until a subcommand asks for {@link #configureThreads()} or {@link #device()}:
 * {@code --help} and {@code --version} answer without loading libtorch.
 */
@Command(name = "frugal", mixinStandardHelpOptions = true, versionProvider = FrugalCommand.Version.class,
        description = "Memory-efficient deep learning on libtorch from the JVM.",
        subcommands = {InfoCommand.class, GenerateCommand.class, DataCommand.class, ImportOnnxCommand.class,
                ProbeCommand.class, ZoCommand.class, QuickstartCommand.class, DpCommand.class, AcdcCommand.class, BenchCommand.class,
                FewshotCommand.class, DepthCommand.class, RlCommand.class, InfluenceCommand.class},
        footer = {"", "Run 'frugal COMMAND --help' for a command's options."})
public final class FrugalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--threads", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "CPU threads for ATen ops and OpenBLAS GEMMs (default: OPENBLAS_NUM_THREADS, else the core"
                    + " count). The frugal launcher also exports OPENBLAS_NUM_THREADS=N before the JVM starts.")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEVICE", scope = ScopeType.INHERIT,
            description = "Where a model runs: cpu, cuda or cuda:N (default: cpu).")
    String device;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print the full stack trace when a command fails.")
    boolean debug;

    /** {@code frugal} alone: a subcommand is required. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (info, generate)");
    }

    /**
     * Applies {@code --threads} (or {@link Threads#defaultCount()}) to ATen and OpenBLAS; loads libtorch.
     *
     * @return the thread count in effect
     * @throws IllegalArgumentException when {@code --threads} is below 1
     */
    public int configureThreads() {
        int n = threads != null ? threads : Threads.defaultCount();
        Threads.configure(n);
        return n;
    }

    /**
     * {@link #configureThreads()} of the {@code frugal} command {@code spec} runs under; a command run on its own (in a
     * test, without the root) gets {@link Threads#defaultCount()}.
     *
     * @return the thread count in effect
     */
    static int configureThreads(CommandSpec spec) {
        if (spec.root().userObject() instanceof FrugalCommand f) return f.configureThreads();
        int n = Threads.defaultCount();
        Threads.configure(n);
        return n;
    }

    /**
     * The {@code --device} to run a model on, checked against what libtorch sees.
     *
     * @throws IllegalArgumentException for a malformed device or one that is not available here
     */
    public Device device() {
        Device d = device == null ? Device.CPU : Device.parse(device);
        Backend.requireDevice(d);
        return d;
    }

    /** frugal's version (the Maven project version), from {@code frugal-version.properties}. */
    public static String version() {
        try (InputStream in = FrugalCommand.class.getResourceAsStream("/frugal-version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code --version}. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"frugal " + version() + " (libtorch " + Backend.LIBTORCH_VERSION + ", Java "
                    + Runtime.version() + ")"};
        }
    }
}
