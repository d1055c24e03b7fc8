package dev.frugal.data;

import java.util.Objects;

/**
 * A file an installed data set must contain, with its SHA-256.
 *
 * @param path   path relative to the set's directory, {@code /}-separated
 * @param sha256 lower-case hex digest
 */
public record ExpectedFile(String path, String sha256) {

    public ExpectedFile {
        Objects.requireNonNull(path, "path");
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest for " + path + ": " + sha256);
        }
    }
}
