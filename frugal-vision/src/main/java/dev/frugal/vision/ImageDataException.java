package dev.frugal.vision;

import java.nio.file.Path;

/** Image input that cannot be used: an unreadable or non-image file, mixed channel counts, an empty folder. */
public final class ImageDataException extends dev.frugal.UserInputException {
    private final Path path;

    public ImageDataException(Path path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    /** The offending file or folder. */
    public Path path() { return path; }
}
