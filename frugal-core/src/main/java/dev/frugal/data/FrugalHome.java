package dev.frugal.data;

import java.nio.file.Path;

/**
 * Where frugal keeps its files: {@code -Dfrugal.home=DIR}, else {@code $FRUGAL_HOME}, else {@code ~/.frugal}.
 * Data sets live under {@code <home>/data/<name>}.
 */
public final class FrugalHome {

    /** System property that overrides the home directory. */
    public static final String PROPERTY = "frugal.home";
    /** Environment variable that sets the home directory when the property is absent. */
    public static final String ENV = "FRUGAL_HOME";

    private FrugalHome() {
    }

    /** The home directory (not created). */
    public static Path root() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".frugal");
    }

    /** {@code <home>/data} (not created). */
    public static Path data() {
        return root().resolve("data");
    }
}
