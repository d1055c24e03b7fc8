package dev.frugal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamSmallTest {

    @Test
    void embeddedSubsetLoadsFromClasspath() throws IOException {
        List<SpamEmail> small = SpamSmall.load();
        assertEquals(600, small.size());
        assertEquals(180, small.stream().filter(e -> e.label() == 1).count());
        assertTrue(small.stream().allMatch(e -> e.text().length() <= SpamSmall.MAX_CHARS));
        try (InputStream in = SpamSmall.class.getResourceAsStream(SpamSmall.RESOURCE)) {
            assertTrue(in.readAllBytes().length <= SpamSmall.MAX_BYTES);
        }
        assertTrue(SpamSmall.class.getResource("/dev/frugal/data/PROVENANCE.md") != null);
        Split<SpamEmail> s = SpamSmall.split();
        assertEquals(480, s.train().size());
        assertEquals(60, s.test().size());
        assertEquals(18, s.test().stream().filter(e -> e.label() == 1).count());
    }

    /** The committed file is exactly what the documented selection produces from the full corpus. */
    @Test
    void selectionReproducesTheEmbeddedFile() {
        Path dir = TestDatasets.ensure(DatasetName.SPAM);
        List<SpamEmail> selected = SpamSmall.select(SpamAssassinCorpus.read(dir, SpamOptions.bodiesDeduped()));
        assertEquals(SpamSmall.load(), selected);
    }

    @Test
    void truncatedCopyIsTypedError(@TempDir Path tmp) throws IOException {
        byte[] all;
        try (InputStream in = SpamSmall.class.getResourceAsStream(SpamSmall.RESOURCE)) {
            all = in.readAllBytes();
        }
        Path cut = Files.write(tmp.resolve("spam-small.jsonl.gz"), Arrays.copyOf(all, all.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> SpamSmall.read(cut));
        assertEquals(cut, e.file());
    }

    @Test
    void truncationKeepsSurrogatePairsWhole() {
        String s = "a".repeat(SpamSmall.MAX_CHARS - 1) + "😀";
        String t = SpamSmall.truncate(s);
        assertEquals(SpamSmall.MAX_CHARS - 1, t.length());
    }
}
