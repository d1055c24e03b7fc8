package dev.frugal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an installed data set must contain: single files with their SHA-256 and directories with a file count and a
 * tree digest. {@link #verify(Path, DatasetName)} checks an installation against it.
 *
 * @param files single files
 * @param trees directories of many files
 */
public record DatasetManifest(List<ExpectedFile> files, List<ExpectedTree> trees) {

    public DatasetManifest {
        files = List.copyOf(files);
        trees = List.copyOf(trees);
    }

    /**
     * Checks that {@code dir} holds every expected file and tree with the recorded checksums.
     *
     * @throws DatasetFormatException naming the first file or directory that is missing or differs
     */
    public void verify(Path dir, DatasetName name) {
        String refetch = "run `frugal data fetch " + name.cliName() + "` to reinstall it";
        try {
            for (ExpectedFile f : files) {
                Path p = dir.resolve(f.path());
                if (!Files.isRegularFile(p)) {
                    throw new DatasetFormatException(p, "missing from the installed '" + name.cliName() + "' set; "
                            + refetch, null);
                }
                String actual = Sha256.of(p);
                if (!actual.equals(f.sha256())) {
                    throw new DatasetFormatException(p, "SHA-256 " + actual + " differs from the recorded "
                            + f.sha256() + "; " + refetch, null);
                }
            }
            for (ExpectedTree t : trees) {
                Path d = dir.resolve(t.dir());
                List<Path> found = listFiles(d);
                if (found.size() != t.count()) {
                    throw new DatasetFormatException(d, "holds " + found.size() + " files, expected " + t.count()
                            + "; " + refetch, null);
                }
                String actual = Sha256.ofTree(dir, found);
                if (!actual.equals(t.sha256())) {
                    throw new DatasetFormatException(d, "tree SHA-256 " + actual + " differs from the recorded "
                            + t.sha256() + "; " + refetch, null);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read installed data set " + dir, e);
        }
    }

    /** Regular files under {@code dir}, recursively; empty when {@code dir} does not exist. */
    static List<Path> listFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
