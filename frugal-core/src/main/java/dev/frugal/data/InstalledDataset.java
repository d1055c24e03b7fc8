package dev.frugal.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The state of one data set under the frugal home, as {@link DatasetRegistry#list()} reports it.
 *
 * @param name   the set
 * @param dir    its directory
 * @param status installed and verified, missing, or present but failing verification
 * @param bytes  bytes on disk (0 when missing)
 * @param detail why verification failed, or the empty string
 */
public record InstalledDataset(DatasetName name, Path dir, Status status, long bytes, String detail) {

    /** Installation state. */
    public enum Status { VERIFIED, MISSING, CORRUPT }

    public InstalledDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }
}
