package dev.frugal.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dist-zo bench's figures over repeated runs: medians, speedups of the medians, per-run speedups, median run. */
class DistZoBenchSummaryTest {
    @Test
    void threeRunsGiveMediansPerRunSpeedupsAndTheMedianRun() {
        Map<String, double[]> sps = new LinkedHashMap<>();
        sps.put("single", new double[] {0.16, 0.10, 0.20}); // the machine slowed in run 2
        sps.put("ddp2", new double[] {0.30, 0.19, 0.34});
        sps.put("pertp2", new double[] {0.28, 0.20, 0.40});
        DistZoBench.Summary s = DistZoBench.Summary.of(sps);
        assertEquals(0.16, s.stepsPerSecond().get("single"), 1e-15);
        assertEquals(0.30, s.stepsPerSecond().get("ddp2"), 1e-15);
        assertEquals(0.28, s.stepsPerSecond().get("pertp2"), 1e-15);
        assertEquals(1.0, s.speedup().get("single"), 1e-15);
        assertEquals(0.30 / 0.16, s.speedup().get("ddp2"), 1e-12);
        assertEquals(0.28 / 0.16, s.speedup().get("pertp2"), 1e-12);
        // each run's own speedup divides by that run's single worker
        assertArrayEquals(new double[] {0.30 / 0.16, 0.19 / 0.10, 0.34 / 0.20}, s.speedupPerRun().get("ddp2"), 1e-12);
        assertArrayEquals(new double[] {0.28 / 0.16, 0.20 / 0.10, 0.40 / 0.20}, s.speedupPerRun().get("pertp2"), 1e-12);
        assertEquals(0, s.medianRun().get("single"));
        assertEquals(0, s.medianRun().get("ddp2"));
        assertEquals(0, s.medianRun().get("pertp2"));
    }

    @Test
    void anEvenCountAveragesTheMiddleTwoAndPrintsTheLowerRun() {
        Map<String, double[]> sps = new LinkedHashMap<>();
        sps.put("single", new double[] {0.2, 0.1});
        sps.put("ddp2", new double[] {0.3, 0.5});
        DistZoBench.Summary s = DistZoBench.Summary.of(sps);
        assertEquals(0.15, s.stepsPerSecond().get("single"), 1e-15);
        assertEquals(0.4, s.stepsPerSecond().get("ddp2"), 1e-15);
        assertEquals(1, s.medianRun().get("single"));
        assertEquals(0, s.medianRun().get("ddp2"));
        assertArrayEquals(new double[] {1.5, 5.0}, s.speedupPerRun().get("ddp2"), 1e-12);
    }

    @Test
    void oneRunIsTheOldBench() {
        Map<String, double[]> sps = new LinkedHashMap<>();
        sps.put("single", new double[] {0.159});
        sps.put("pertp2", new double[] {0.305});
        DistZoBench.Summary s = DistZoBench.Summary.of(sps);
        assertEquals(0.305 / 0.159, s.speedup().get("pertp2"), 1e-12);
        assertArrayEquals(new double[] {0.305 / 0.159}, s.speedupPerRun().get("pertp2"), 1e-12);
    }

    @Test
    void refusesMissingBaselineOrUnevenRuns() {
        assertThrows(IllegalArgumentException.class, () -> DistZoBench.Summary.of(Map.of("ddp2", new double[] {0.3})));
        Map<String, double[]> uneven = new LinkedHashMap<>();
        uneven.put("single", new double[] {0.1, 0.2});
        uneven.put("ddp2", new double[] {0.3});
        assertThrows(IllegalArgumentException.class, () -> DistZoBench.Summary.of(uneven));
    }
}
