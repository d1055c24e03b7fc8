package dev.frugal.vision;

/** A domain that cannot provide the requested episodes: too few classes, or a class with too few images. */
public final class EpisodeException extends IllegalArgumentException {
    public EpisodeException(String message) { super(message); }
}
