package dev.frugal;

/**
 * Base of every error the user can fix: a bad setting, an unreadable or malformed input file, a missing data set. The
 * message names the input and says what to do. A command-line front end reports these in one line (exit 2); any other
 * exception escaping a library is a bug. Internal invariants throw {@link IllegalArgumentException} or
 * {@link IllegalStateException}, never this type.
 */
public class UserInputException extends RuntimeException {
    public UserInputException(String message) { super(message); }

    public UserInputException(String message, Throwable cause) { super(message, cause); }
}
