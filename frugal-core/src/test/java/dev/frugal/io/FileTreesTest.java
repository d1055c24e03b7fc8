package dev.frugal.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileTrees#delete}: the whole tree goes, a missing one is no error, a link is removed and not followed. */
class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void deletesNestedTreeAndIgnoresAMissingOne() throws Exception {
        Path root = tmp.resolve("run");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/f.txt"), "x");
        Files.writeString(root.resolve("top.txt"), "y");
        FileTrees.delete(root);
        assertFalse(Files.exists(root));
        FileTrees.delete(root); // already gone
        FileTrees.delete(tmp.resolve("never-there"));
    }

    @Test
    void aLinkInsideIsRemovedNotFollowed() throws Exception {
        Path keep = Files.createDirectories(tmp.resolve("keep"));
        Files.writeString(keep.resolve("precious.txt"), "z");
        Path root = Files.createDirectories(tmp.resolve("scratch"));
        Files.createSymbolicLink(root.resolve("link"), keep);
        FileTrees.delete(root);
        assertFalse(Files.exists(root));
        assertTrue(Files.exists(keep.resolve("precious.txt")));
    }
}
