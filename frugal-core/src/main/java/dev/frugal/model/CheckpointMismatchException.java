package dev.frugal.model;

import dev.frugal.io.FrugalIoException;
import java.nio.file.Path;
import java.util.Collection;

/** A checkpoint's tensor names or shapes do not fit the architecture its config describes. */
public final class CheckpointMismatchException extends FrugalIoException {
    public CheckpointMismatchException(Path dir, String problem) { super(dir + ": " + problem); }

    static String list(Collection<String> names) {
        return names.size() <= 8 ? String.join(", ", names)
                : String.join(", ", names.stream().limit(8).toList()) + " ... (" + names.size() + " in all)";
    }
}
