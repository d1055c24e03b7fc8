package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The fixture locator fails, naming the path and the property, instead of falling back or letting a test skip. */
@ResourceLock("frugal.fixtures")
class FixturesTest {
    @Test
    void missingRootFailsNamingItAndTheProperty(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-fixtures");
        String before = System.getProperty(Fixtures.ROOT_PROPERTY);
        System.setProperty(Fixtures.ROOT_PROPERTY, missing.toString());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, Fixtures::root);
            assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("-Dfrugal.fixtures"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> Fixtures.dir("opt"));
        } finally {
            if (before == null) System.clearProperty(Fixtures.ROOT_PROPERTY);
            else System.setProperty(Fixtures.ROOT_PROPERTY, before);
        }
    }

    @Test
    void missingFileOrArchitectureFailsNamingIt(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("opt"));
        Files.writeString(tmp.resolve("opt/config.json"), "{}");
        String before = System.getProperty(Fixtures.ROOT_PROPERTY);
        System.setProperty(Fixtures.ROOT_PROPERTY, tmp.toString());
        try {
            assertEquals(tmp.resolve("opt").toAbsolutePath().normalize(), Fixtures.dir("opt"));
            IllegalStateException f = assertThrows(IllegalStateException.class,
                    () -> Fixtures.file("opt", "reference.safetensors"));
            assertTrue(f.getMessage().contains(tmp.resolve("opt/reference.safetensors").toString()), f.getMessage());
            IllegalStateException d = assertThrows(IllegalStateException.class, () -> Fixtures.dir("gpt2"));
            assertTrue(d.getMessage().contains("gpt2"), d.getMessage());
            assertThrows(IllegalStateException.class, Fixtures::mezoDirs, "opt/ has no MeZO trajectory");
        } finally {
            if (before == null) System.clearProperty(Fixtures.ROOT_PROPERTY);
            else System.setProperty(Fixtures.ROOT_PROPERTY, before);
        }
    }
}
