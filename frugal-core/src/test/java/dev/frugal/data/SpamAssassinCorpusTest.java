package dev.frugal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamAssassinCorpusTest {

    private static Path dir;
    private static List<SpamEmail> bodies;

    @BeforeAll
    static void install() {
        dir = TestDatasets.ensure(DatasetName.SPAM);
        bodies = SpamAssassinCorpus.read(dir, SpamOptions.bodiesDeduped());
    }

    @Test
    void rawCorpusHas6046EmailsWithGroupLabels() {
        List<SpamEmail> raw = SpamAssassinCorpus.read(dir, SpamOptions.raw());
        assertEquals(6046, raw.size());
        Map<String, Long> byGroup = raw.stream().collect(Collectors.groupingBy(SpamEmail::group,
                Collectors.counting()));
        assertEquals(Map.of("easy-ham-1", 2500L, "easy-ham-2", 1400L, "hard-ham-1", 250L, "spam-1", 500L,
                "spam-2", 1396L), byGroup);
        assertEquals(1896, raw.stream().filter(e -> e.label() == 1).count());
        assertTrue(raw.getFirst().text().startsWith("From "), "raw messages keep their headers");
    }

    @Test
    void strippedAndDeduplicated() {
        assertEquals(5875, bodies.size());
        assertEquals(1763, bodies.stream().filter(e -> e.label() == 1).count());
        assertEquals(bodies.size(), bodies.stream().map(SpamEmail::sha256).distinct().count());
    }

    @Test
    void headerStripping() {
        assertEquals("body\n\nmore", SpamAssassinCorpus.stripHeaders("From: a\r\nSubject: b\r\n\r\nbody\r\n\r\nmore"));
        assertEquals("no separator", SpamAssassinCorpus.stripHeaders("no separator"));
    }

    @Test
    void defaultSplitIsStratifiedSeededAndDisjoint() {
        Split<SpamEmail> s = StratifiedSplit.SPAM_DEFAULT.apply(bodies, SpamEmail::label);
        assertEquals(4701, s.train().size());
        assertEquals(587, s.dev().size());
        assertEquals(587, s.test().size());
        assertEquals(176, s.test().stream().filter(e -> e.label() == 1).count());
        Set<String> ids = new HashSet<>();
        Stream.of(s.train(), s.dev(), s.test()).flatMap(List::stream).forEach(e -> assertTrue(ids.add(e.id())));
        Split<SpamEmail> again = StratifiedSplit.SPAM_DEFAULT.apply(bodies, SpamEmail::label);
        assertEquals(s.test(), again.test(), "same seed, same split");
        Split<SpamEmail> other = new StratifiedSplit(0.1, 0.1, 1).apply(bodies, SpamEmail::label);
        assertFalse(s.test().equals(other.test()));
    }

    @Test
    void garbageMessageIsTypedErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        for (String g : SpamAssassinCorpus.GROUPS) {
            Files.createDirectories(tmp.resolve("data").resolve(g));
        }
        Path src;
        try (Stream<Path> s = Files.list(dir.resolve("data/spam-1"))) {
            src = s.filter(p -> p.toString().endsWith(".json")).sorted().findFirst().orElseThrow();
        }
        Path bad = tmp.resolve("data/spam-1").resolve(src.getFileName());
        byte[] bytes = Files.readAllBytes(src);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> SpamAssassinCorpus.read(tmp, SpamOptions.raw()));
        assertEquals(bad, e.file());
    }
}
