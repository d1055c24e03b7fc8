package dev.frugal.data;

import java.nio.file.Path;

/**
 * Installs the data sets the tests need through frugal's own fetch code, into the frugal home
 * ({@code -Dfrugal.home}, {@code $FRUGAL_HOME} or {@code ~/.frugal}); a second run only verifies them.
 */
public final class TestDatasets {

    private TestDatasets() {
    }

    /** Verified directory of {@code name}, fetched on first use. */
    public static synchronized Path ensure(DatasetName name) {
        return DatasetRegistry.atHome().ensure(name);
    }
}
