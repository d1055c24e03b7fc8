package dev.frugal.data;

/**
 * A data set that could not be installed or is not installed. The message says what failed and the exact commands
 * to run by hand (see {@link #manualCommand()}).
 */
public final class DatasetFetchException extends dev.frugal.UserInputException {

    private final String manualCommand;

    /**
     * @param problem       what failed
     * @param manualCommand shell commands that install the data set by hand
     * @param cause         the underlying error, or {@code null}
     */
    public DatasetFetchException(String problem, String manualCommand, Throwable cause) {
        super(problem + "\n  to install it by hand, run:\n    " + manualCommand.replace("\n", "\n    "), cause);
        this.manualCommand = manualCommand;
    }

    /** Shell commands that install the data set by hand. */
    public String manualCommand() {
        return manualCommand;
    }
}
