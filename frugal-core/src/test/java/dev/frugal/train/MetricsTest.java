package dev.frugal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

    /**
     * 10 examples: 4 positives (3 found, 1 missed), 6 negatives (1 false alarm). tp=3 fn=1 fp=1 tn=5:
     * accuracy 8/10, precision 3/4, recall 3/4, F1 3/4; class 0: precision 5/6, recall 5/6.
     */
    @Test
    void handExample() {
        int[] y = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
        int[] p = {1, 1, 1, 0, 1, 0, 0, 0, 0, 0};
        Metrics m = Metrics.binary(y, p);
        assertArrayEquals(new long[][] {{5, 1}, {1, 3}}, m.confusion().counts());
        assertEquals(0.8, m.accuracy(), 1e-15);
        assertEquals(0.75, m.precision(), 1e-15);
        assertEquals(0.75, m.recall(), 1e-15);
        assertEquals(0.75, m.f1(), 1e-15);
        assertEquals(5.0 / 6, m.precision(0), 1e-15);
        assertEquals(5.0 / 6, m.f1(0), 1e-15);
        assertEquals((0.75 + 5.0 / 6) / 2, m.macroF1(), 1e-15);
    }

    @Test
    void unevenPrecisionAndRecall() {
        int[] y = {1, 1, 1, 1, 0, 0};
        int[] p = {1, 0, 0, 0, 0, 0};
        Metrics m = Metrics.binary(y, p);
        assertEquals(1.0, m.precision());
        assertEquals(0.25, m.recall());
        assertEquals(2 * 0.25 / 1.25, m.f1(), 1e-15);
    }

    @Test
    void noPositivePredictionsGiveZeroNotNaN() {
        Metrics m = Metrics.binary(new int[] {1, 0, 0}, new int[] {0, 0, 0});
        assertEquals(0.0, m.precision());
        assertEquals(0.0, m.f1());
        assertEquals(2.0 / 3, m.accuracy(), 1e-15);
    }

    @Test
    void threeClassesAndFormatting() {
        ConfusionMatrix c = ConfusionMatrix.of(new int[] {0, 1, 2, 2}, new int[] {0, 2, 2, 1}, 3);
        assertEquals(4, c.total());
        assertEquals(2, c.correct());
        assertEquals(2, c.support(2));
        assertEquals(2, c.predicted(2));
        String t = c.format("a", "b", "c");
        assertTrue(t.startsWith("true\\pred"), t);
        assertEquals(4, t.lines().count());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Metrics.binary(new int[] {0, 1}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.binary(new int[] {2}, new int[] {0}));
    }
}
