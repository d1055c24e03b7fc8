package dev.frugal.vision;

/** A domain that cannot provide the requested episodes: too few classes, or a class with too few images. */
public final class EpisodeException extends dev.frugal.UserInputException {
    public EpisodeException(String message) { super(message); }
}
