package dev.frugal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsTest {

    @Test
    void reads1797EightByEightImages() {
        Digits d = Digits.read(TestDatasets.ensure(DatasetName.DIGITS).resolve("digits.csv.gz"));
        assertEquals(Digits.COUNT, d.size());
        assertEquals(1797 * 64, d.pixels().length);
        int[] counts = new int[10];
        for (byte l : d.labels()) {
            counts[l]++;
        }
        // scikit-learn's digits: about 180 images per class
        assertEquals(1797, Arrays.stream(counts).sum());
        assertTrue(Arrays.stream(counts).allMatch(c -> c >= 174 && c <= 183), Arrays.toString(counts));
        assertEquals(0, d.labels()[0]);
        assertEquals(5, d.pixels()[2], "first row starts 0,0,5,13,...");
    }

    @Test
    void truncatedGzipIsTypedErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        Path src = TestDatasets.ensure(DatasetName.DIGITS).resolve("digits.csv.gz");
        Path cut = tmp.resolve("digits.csv.gz");
        byte[] b = Files.readAllBytes(src);
        Files.write(cut, Arrays.copyOf(b, b.length / 3));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Digits.read(cut));
        assertEquals(cut, e.file());
    }

    @Test
    void malformedRowIsTypedErrorWithLine(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bad.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(("0,".repeat(64) + "3\n" + "1,2,3\n").getBytes(StandardCharsets.US_ASCII));
        }
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Digits.read(f));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void notGzipIsTypedError(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("plain.csv.gz"), "0,1,2\n");
        assertThrows(DatasetFormatException.class, () -> Digits.read(f));
    }
}
