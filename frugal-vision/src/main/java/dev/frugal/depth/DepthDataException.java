package dev.frugal.depth;

import java.nio.file.Path;

/** A sequence on disk that cannot be used; the message names the file and says what to do (a user error: exit 2). */
public final class DepthDataException extends dev.frugal.UserInputException {
    private final Path path;

    public DepthDataException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    public Path path() { return path; }
}
