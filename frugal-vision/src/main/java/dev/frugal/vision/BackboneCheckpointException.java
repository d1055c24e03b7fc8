package dev.frugal.vision;

/** A backbone checkpoint that cannot be used here: unreadable, or of another architecture than the one asked for. */
public final class BackboneCheckpointException extends dev.frugal.UserInputException {
    public BackboneCheckpointException(String message) { super(message); }

    public BackboneCheckpointException(String message, Throwable cause) { super(message, cause); }
}
