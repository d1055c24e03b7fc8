package dev.frugal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Debian package fetched with {@code apt-get download PKG} (no root, no install) and unpacked with
 * {@code dpkg-deb -x} into a scratch directory, from which the data files are copied.
 *
 * @param packageName Debian package name, e.g. {@code dataset-fashion-mnist}
 * @param files       path inside the package → file name in the installed set, in copy order
 */
public record DebianPackage(String packageName, Map<String, String> files) implements DatasetSource {

    public DebianPackage {
        Objects.requireNonNull(packageName, "packageName");
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /** A package whose files are given as pairs: path in the package, name in the set, path, name, ... */
    public static DebianPackage of(String packageName, String... pathNamePairs) {
        if (pathNamePairs.length % 2 != 0) {
            throw new IllegalArgumentException("pathNamePairs needs pairs, got " + pathNamePairs.length + " strings");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pathNamePairs.length; i += 2) {
            m.put(pathNamePairs[i], pathNamePairs[i + 1]);
        }
        return new DebianPackage(packageName, m);
    }

    @Override
    public void installInto(Path staging, Path work, Path target) {
        String manual = manualCommand(target);
        new ExternalCommand(List.of("apt-get", "download", packageName), work, Duration.ofMinutes(10), manual).run();
        Path deb;
        try (Stream<Path> s = Files.list(work)) {
            deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new DatasetFetchException("`apt-get download " + packageName
                            + "` produced no .deb in " + work, manual, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path tree = work.resolve("deb-tree");
        new ExternalCommand(List.of("dpkg-deb", "-x", deb.toString(), tree.toString()), work, Duration.ofMinutes(5),
                manual).run();
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path src = tree.resolve(f.getKey());
                if (!Files.isRegularFile(src)) {
                    throw new DatasetFetchException(deb.getFileName() + " has no " + f.getKey()
                            + " (has the Debian package changed its layout?)", manual, null);
                }
                Files.copy(src, staging.resolve(f.getValue()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy files out of " + deb, e);
        }
    }

    @Override
    public String manualCommand(Path target) {
        String copies = files.entrySet().stream()
                .map(f -> "cp x/" + f.getKey() + " " + target + "/" + f.getValue())
                .collect(Collectors.joining(" && "));
        return "cd \"$(mktemp -d)\" && apt-get download " + packageName + " && dpkg-deb -x " + packageName
                + "_*.deb x && mkdir -p " + target + " && " + copies
                + "\n(if apt-get cannot locate the package, run `sudo apt-get update` first)";
    }
}
