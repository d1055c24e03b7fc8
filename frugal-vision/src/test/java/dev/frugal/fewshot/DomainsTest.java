package dev.frugal.fewshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.vision.ImageSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Installs each built-in target through frugal's fetch code (npm, Debian) and checks what it yields. */
class DomainsTest {

    @ParameterizedTest
    @EnumSource(value = DomainName.class, names = {"MNIST", "DIGITS", "GLYPHS", "LETTERS"})
    void targetsLoadWithEnoughImagesPerClassAndAreDeterministic(DomainName d) {
        ImageSet a = Domains.load(d, 28);
        assertTrue(a.classCount() >= 10, d + ": " + a.classCount() + " classes");
        for (int c = 0; c < a.classCount(); c++) {
            assertTrue(a.count(c) >= 20, d + " class " + a.classNames().get(c) + ": " + a.count(c) + " images, need 5 + 15");
        }
        double sum = 0;
        for (float[] im : a.images().get(0)) {
            for (float v : im) {
                assertTrue(v >= 0 && v <= 1, d + ": pixel " + v);
                sum += v;
            }
        }
        assertTrue(sum > 0, d + ": class 0 is all black");
        ImageSet b = Domains.load(d, 28);
        assertEquals(a.classNames(), b.classNames());
        assertArrayEquals(a.images().get(a.classCount() - 1).get(a.count(a.classCount() - 1) - 1),
                b.images().get(b.classCount() - 1).get(b.count(b.classCount() - 1) - 1));
        if (d == DomainName.GLYPHS) assertEquals(8 * Domains.GLYPHS_PER_SCRIPT, a.classCount());
        if (d == DomainName.MNIST) assertEquals(10_000, a.total());
    }
}
