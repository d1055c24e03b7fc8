package dev.frugal.cli;

import dev.frugal.data.FrugalHome;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** CLI tests that run with {@code frugal.home} pointing at a fresh temporary directory and capture out and err. */
abstract class TempHomeCliTest {

    @TempDir
    Path home;
    private String oldHome;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setHome() {
        oldHome = System.getProperty(FrugalHome.PROPERTY);
        System.setProperty(FrugalHome.PROPERTY, home.toString());
    }

    @AfterEach
    void restoreHome() {
        if (oldHome == null) {
            System.clearProperty(FrugalHome.PROPERTY);
        } else {
            System.setProperty(FrugalHome.PROPERTY, oldHome);
        }
    }
}
