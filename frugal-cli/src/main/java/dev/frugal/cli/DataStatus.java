package dev.frugal.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * Which data sets are installed under {@code $FRUGAL_HOME/data}, for {@code frugal info}. The data package
 * ({@code dev.frugal.data}) plugs in by returning its implementation from {@link #current()}; until then the answer is
 * "unknown".
 */
@FunctionalInterface
public interface DataStatus {
    /**
     * One line per data set frugal knows, e.g. {@code "sst2  installed (67,349 train / 872 validation)"}.
     *
     * @param dataDir {@code $FRUGAL_HOME/data}; it may not exist
     */
    List<String> describe(Path dataDir);

    /** The answer before the data package is wired in. */
    DataStatus UNKNOWN = dataDir -> List.of("unknown");

    /** The status source {@code frugal info} uses. */
    static DataStatus current() { return UNKNOWN; }

    /** {@code $FRUGAL_HOME}, else {@code ~/.frugal}. */
    static Path frugalHome() {
        String env = System.getenv("FRUGAL_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".frugal");
    }
}
