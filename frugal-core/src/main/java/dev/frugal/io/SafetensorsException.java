package dev.frugal.io;

import java.nio.file.Path;

/** A safetensors file (or index) is malformed or does not fit what was asked of it. The message names the file. */
public final class SafetensorsException extends FrugalIoException {
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
