package dev.frugal.model;

import dev.frugal.io.FrugalIoException;
import java.nio.file.Path;

/** A model's {@code config.json} is missing, unreadable, or has missing or inconsistent fields. */
public final class ConfigException extends FrugalIoException {
    public ConfigException(Path file, String problem) { super(file + ": " + problem); }
}
