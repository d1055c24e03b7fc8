package dev.frugal.spark;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The jars a frugal application ships to an external Spark cluster through {@code spark.jars}: a cluster started
 * from a Spark distribution has Spark, Scala, Hadoop and their dependencies (Jackson, Netty, …) on its executors'
 * class path, but not frugal's own modules nor the JavaCPP / libtorch / OpenBLAS jars (with their native-library
 * classifiers) that frugal's tasks run on. The driver serves the listed jars from its file server; each executor
 * fetches them once and adds them to its task class loader, where JavaCPP finds its native libraries as resources.
 *
 * <p>What is shipped, taken from the driver's class path in order:
 * <ul>
 *   <li>class directories (a Maven build's {@code target/classes}), each packed into a jar under a work folder
 *       (deleted when the JVM exits);</li>
 *   <li>frugal's module jars ({@code frugal-*.jar});</li>
 *   <li>the {@code org.bytedeco} jars (a Maven repository path containing {@code /org/bytedeco/}, or a file name
 *       starting with {@code javacpp-}, {@code pytorch-} or {@code openblas-}).</li>
 * </ul>
 * Everything else is expected on the cluster; a task that needs another library fails on the executor with
 * {@code NoClassDefFoundError}, and the user adds that jar to {@code spark.jars} (docs/influence.md).
 */
public final class AppJars {
    private AppJars() {}

    /** Whether the class-path entry {@code p} (a jar or a class directory) is shipped to an external cluster. */
    public static boolean shipped(Path p) {
        if (Files.isDirectory(p)) return true;
        String name = p.getFileName().toString();
        if (!name.endsWith(".jar")) return false;
        String path = p.toAbsolutePath().toString().replace(File.separatorChar, '/');
        return name.startsWith("frugal-") || path.contains("/org/bytedeco/") || name.startsWith("javacpp-")
                || name.startsWith("pytorch-") || name.startsWith("openblas-");
    }

    /**
     * The jars to list in {@code spark.jars} for {@code classPath} (entries separated by the platform's path
     * separator): shipped jars as they are, shipped class directories packed into jars under {@code work}.
     */
    public static List<Path> forClassPath(String classPath, Path work) {
        List<Path> out = new ArrayList<>();
        int dirs = 0;
        for (String e : classPath.split(File.pathSeparator)) {
            if (e.isBlank()) continue;
            Path p = Path.of(e).toAbsolutePath().normalize();
            if (!Files.exists(p) || !shipped(p)) continue;
            if (Files.isDirectory(p)) out.add(pack(p, work.resolve("classes-" + (dirs++) + "-" + label(p) + ".jar")));
            else out.add(p);
        }
        return out;
    }

    /** {@code spark.jars}'s value: the paths joined by commas. */
    public static String sparkJars(List<Path> jars) {
        return String.join(",", jars.stream().map(Path::toString).toList());
    }

    /** The module name of a class directory ({@code …/frugal-core/target/classes} → {@code frugal-core}). */
    private static String label(Path dir) {
        Path p = dir;
        if (p.getFileName() != null && p.getFileName().toString().endsWith("classes") && p.getParent() != null
                && p.getParent().getFileName() != null && p.getParent().getFileName().toString().equals("target")
                && p.getParent().getParent() != null) {
            p = p.getParent().getParent();
        }
        return p.getFileName() == null ? "root" : p.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Packs the files under {@code dir} into the jar {@code jar} (overwritten). */
    static Path pack(Path dir, Path jar) {
        try {
            Files.createDirectories(jar.getParent());
            jar.getParent().toFile().deleteOnExit();   // deleted at exit after the jar (reverse order of registration)
            jar.toFile().deleteOnExit();
            Manifest mf = new Manifest();
            mf.getMainAttributes().putValue("Manifest-Version", "1.0");
            try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os, mf);
                 Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted().toList()) {
                    if (f.equals(dir)) continue;
                    String name = dir.relativize(f).toString().replace(File.separatorChar, '/');
                    if (name.equals("META-INF/MANIFEST.MF")) continue;
                    if (Files.isDirectory(f)) {
                        j.putNextEntry(new JarEntry(name + "/"));
                    } else {
                        j.putNextEntry(new JarEntry(name));
                        Files.copy(f, j);
                    }
                    j.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack the class directory " + dir + " into " + jar
                    + " for spark.jars", e);
        }
    }
}
