package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench's breakdown of a DistZO2 step from the workers' own timings. */
class StepPhasesTest {
    @Test
    void waitIsRankZerosExchangeBeyondTheLastArrivalsAndRestIsWhatIsLeft() {
        // two ranks, three steps; rank 1 computes longer, so rank 0 waits for it; the first step is warm-up
        List<Double> steps = List.of(9.0, 1.00, 1.10);
        Map<Integer, List<double[]>> ranks = Map.of(
                0, List.of(new double[] {5, 3}, new double[] {0.60, 0.35}, new double[] {0.70, 0.36}),
                1, List.of(new double[] {8, 0.1}, new double[] {0.94, 0.01}, new double[] {1.02, 0.03}));
        StepPhases p = new StepPhases(steps, ranks, 4.0, 4);
        StepPhases.Breakdown b = p.breakdown(1);
        assertEquals(1.05, b.step(), 1e-12);
        assertEquals(0.65, b.forwards(), 1e-12);
        assertEquals(0.98, b.slowest(), 1e-12);
        assertEquals(0.02, b.transport(), 1e-12); // the last arrival's exchange: (0.01 + 0.03) / 2
        assertEquals(0.335, b.waiting(), 1e-12);     // (0.34 + 0.33) / 2
        assertEquals(0.045, b.rest(), 1e-12);     // (0.05 + 0.04) / 2
        assertEquals(1.0, b.spark(), 1e-12);      // 4 s outside the loop over 4 trained steps
    }

    @Test
    void aSingleWorkerWaitsForNobody() {
        StepPhases p = new StepPhases(List.of(2.0, 2.0), Map.of(0, List.of(new double[] {1.9, 0.05},
                new double[] {1.8, 0.1})), 0.5, 2);
        StepPhases.Breakdown b = p.breakdown(0);
        assertEquals(0, b.waiting(), 0);
        assertEquals(0.075, b.transport(), 1e-12);
        assertEquals(b.forwards(), b.slowest(), 0);
        assertTrue(Double.isNaN(new StepPhases(List.of(), Map.of(), 0, 0).breakdown(0).step()));
    }
}
