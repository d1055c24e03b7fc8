package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an application ships to an external cluster: frugal's jars and class directories and JavaCPP's, not Spark. */
class AppJarsTest {
    @TempDir
    Path tmp;

    @Test
    void shipsFrugalJavaCppAndPackedClassDirectoriesButNotSpark() throws Exception {
        Path classes = tmp.resolve("frugal-influence/target/classes");
        Files.createDirectories(classes.resolve("dev/frugal/influence"));
        Files.writeString(classes.resolve("dev/frugal/influence/A.class"), "not really a class");
        Path frugal = touch(tmp.resolve("lib/frugal-core-0.1.0.jar"));
        Path torch = touch(tmp.resolve("m2/org/bytedeco/pytorch/2.10.0/pytorch-2.10.0-linux-x86_64.jar"));
        Path spark = touch(tmp.resolve("m2/org/apache/spark/spark-core_2.13-4.2.0.jar"));
        Path jackson = touch(tmp.resolve("m2/com/fasterxml/jackson-databind-2.21.jar"));
        String cp = String.join(File.pathSeparator, List.of(classes.toString(), frugal.toString(), spark.toString(),
                torch.toString(), jackson.toString(), tmp.resolve("missing.jar").toString()));
        List<Path> shipped = AppJars.forClassPath(cp, tmp.resolve("work"));
        assertEquals(3, shipped.size(), shipped.toString());
        assertEquals(frugal, shipped.get(1));
        assertEquals(torch, shipped.get(2));
        Path packed = shipped.get(0);
        assertTrue(packed.getFileName().toString().contains("frugal-influence"), packed.toString());
        try (JarFile j = new JarFile(packed.toFile())) {
            assertTrue(j.getEntry("dev/frugal/influence/A.class") != null, "the class directory's files are packed");
        }
        assertEquals(String.join(",", shipped.stream().map(Path::toString).toList()), AppJars.sparkJars(shipped));
    }

    private static Path touch(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "");
        return p;
    }
}
