package dev.frugal.data;

import java.util.Objects;

/**
 * A directory of an installed data set with a known number of files and a {@linkplain Sha256#ofTree tree digest}
 * (used where a set has thousands of small files).
 *
 * @param dir    directory relative to the set's directory, {@code /}-separated
 * @param count  number of regular files under it (recursively)
 * @param sha256 tree digest over those files, relative to the set's directory
 */
public record ExpectedTree(String dir, int count, String sha256) {

    public ExpectedTree {
        Objects.requireNonNull(dir, "dir");
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive for " + dir);
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest for " + dir + ": " + sha256);
        }
    }
}
