package dev.frugal.data;

import java.nio.file.Path;

/**
 * A data file that is truncated, corrupt, or not the expected format. The message names the file and says how to
 * repair it ({@code frugal data fetch NAME} reinstalls a set).
 */
public final class DatasetFormatException extends dev.frugal.UserInputException {

    private final transient Path file;

    /**
     * @param file   the offending file
     * @param detail what is wrong
     * @param cause  the underlying error, or {@code null}
     */
    public DatasetFormatException(Path file, String detail, Throwable cause) {
        super(file + ": " + detail + " (the file is truncated or corrupt; reinstall it with `frugal data fetch`)",
                cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
