package dev.frugal.cli;

import dev.frugal.data.FrugalHome;
import java.nio.file.Path;

/**
 * Where a command that writes a run directory puts it: {@code --out DIR} when given, else
 * {@code $FRUGAL_HOME/runs/NAME} ({@code FRUGAL_HOME} defaults to {@code ~/.frugal}) — never the directory the user
 * happens to stand in.
 */
final class RunDirs {
    /** The text of {@code --out}'s help, naming the default. */
    static final String DEFAULT_HELP = "Default: $FRUGAL_HOME/runs/";

    private RunDirs() {}

    /** {@code <frugal home>/runs}. */
    static Path root() { return FrugalHome.root().resolve("runs"); }

    /** {@code out} when given, else {@code <frugal home>/runs/<name>}. */
    static Path resolve(Path out, String name) { return out != null ? out : root().resolve(name); }
}
