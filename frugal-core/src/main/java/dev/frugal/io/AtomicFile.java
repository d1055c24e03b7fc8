package dev.frugal.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file being written next to its target under a hidden temporary name, then renamed over it: readers see either the
 * old file or the complete new one, never a half-written one. Protocol: {@link #stage(Path)}, write {@link #tmp()}
 * and force it to disk, {@link #commit()} (atomic rename + directory sync), or {@link #discard()} on failure.
 *
 * @param target the final path
 * @param tmp    the temporary file in the same directory (same file system, so the rename is atomic)
 */
record AtomicFile(Path target, Path tmp) {
    /** Creates the temporary file for {@code target} (and its directory), readable like a normally created file. */
    static AtomicFile stage(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            // createTempFile makes it rw------- ; a checkpoint should be as readable as one written by Python (0644)
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its default permissions
        }
        return new AtomicFile(abs, tmp);
    }

    /** Renames the temporary file over the target, then syncs the directory so the rename itself is durable. */
    void commit() throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.getParent());
    }

    /** Deletes the temporary file (best effort: used while another error propagates). */
    void discard() {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the original error matters more; a leftover hidden .tmp file is harmless
        }
    }

    /** Writes {@code bytes} to the temporary file and forces them to disk. */
    void writeAndForce(byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    /** fsync of a directory (Linux allows opening one for reading); skipped where the platform refuses. */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows): the rename is still atomic, only its durability is up to the OS
        }
    }
}
