package dev.frugal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmarks' median (their --repeats summaries and per-step figures). */
class StatsTest {
    @Test
    void medianOfOddAndEvenCountsLeavesTheInputAlone() {
        assertEquals(2.0, Stats.median(3.0, 1.0, 2.0));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(15.0, Stats.median(20, 10));
        assertEquals(7.0, Stats.median(7.0));
        assertTrue(Double.isNaN(Stats.median()));
        double[] xs = {5, -1, 3};
        assertEquals(3.0, Stats.median(xs));
        assertArrayEquals(new double[] {5, -1, 3}, xs, "sorted a copy");
    }
}
