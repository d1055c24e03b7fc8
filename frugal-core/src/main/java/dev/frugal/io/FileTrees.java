package dev.frugal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory trees on disk: scratch and staging directories that a run or a cache replaces as a whole. */
public final class FileTrees {
    private FileTrees() {}

    /**
     * Deletes {@code root} and everything below it (deepest first); nothing when it does not exist. Links are deleted,
     * not followed.
     *
     * @throws IOException when an entry cannot be deleted (what was deleted before stays deleted)
     */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
