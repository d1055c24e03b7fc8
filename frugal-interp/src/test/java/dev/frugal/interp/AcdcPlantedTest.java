package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Rng;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ACDC against the hand-built model whose circuit is known edge by edge. */
class AcdcPlantedTest {
    /** Tiny models: one thread (two OpenMP threads on a shared 2-core box ran training 30× slower). */
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    static final double[] TAUS = {1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3};

    @Test
    void recoversThePlantedCircuitExactly() {
        try (Gpt2Model m = ModelZoo.planted(AcdcInductionTest.MODELS); TaskBatch b = new PlantedModel.Task().batch(Rng.seeded("planted", 1), 32);
             AcdcRun run = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.CORRUPTED)) {
            Circuit ref = run.run(AcdcSettings.reference(1e-3), null);
            Circuit fast = run.run(AcdcSettings.fastExact(1e-3), null);
            System.out.printf("planted fp32: %d edges, %d forwards %.2f s; fast exact: %d forwards (%d rows) %.2f s%n",
                    ref.edges().size(), ref.forwards(), ref.seconds(), fast.forwards(), fast.rowsForwarded(), fast.seconds());
            ref.keptDeltas().forEach((e, d) -> System.out.printf("  %-16s %.4f%n", e, d));
            assertEquals(PlantedModel.TRUE_EDGES, ref.edges());
            assertEquals(ref.edges(), fast.edges(), "the exact accelerations must find the same circuit");
            assertTrue(fast.forwards() < ref.forwards());
        }
    }

    /**
     * A capped sweep stops after N edge tests in ACDC's order and keeps every edge it did not test; the exact
     * accelerations still find the capped reference's circuit.
     */
    @Test
    void aCappedSweepStopsAfterNEdgeTests() {
        int cap = 12;
        try (Gpt2Model m = ModelZoo.planted(AcdcInductionTest.MODELS); TaskBatch b = new PlantedModel.Task().batch(Rng.seeded("planted", 1), 32);
             AcdcRun run = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.CORRUPTED)) {
            Circuit ref = run.run(AcdcSettings.reference(1e-3).withMaxEdgeTests(cap), null);
            Circuit fast = run.run(AcdcSettings.fastExact(1e-3).withMaxEdgeTests(cap), null);
            assertEquals(ref.edges(), fast.edges(), "the exact accelerations must find the capped reference's circuit");
            Circuit full = run.run(AcdcSettings.reference(1e-3), null);
            assertTrue(ref.forwards() < full.forwards(), ref.forwards() + " forwards capped vs " + full.forwards());
            List<Circuit.EdgeScore> scores = ref.scores();
            long tested = scores.stream().filter(sc -> !Double.isNaN(sc.delta())).count();
            assertEquals(cap, tested, "edge tests");
            int lastTested = -1, firstUntested = Integer.MAX_VALUE;
            for (int i = 0; i < scores.size(); i++) {
                Circuit.EdgeScore sc = scores.get(i);
                if (!Double.isNaN(sc.delta())) lastTested = i;
                else if (sc.kept()) firstUntested = Math.min(firstUntested, i);
            }
            assertTrue(lastTested < firstUntested, "an edge was tested after the cap was reached");
            for (int i = firstUntested; i < scores.size(); i++)
                assertTrue(Double.isNaN(scores.get(i).delta()), scores.get(i) + " tested after the cap");
            assertEquals(run.graph().edges().size(), scores.size(), "every edge is scored once");
            assertTrue(full.edges().size() < ref.edges().size(), "the cap kept untested edges in the circuit");
        }
    }

    @Test
    void rocAucOfPahqMatchesFp32() {
        try (Gpt2Model m = ModelZoo.planted(AcdcInductionTest.MODELS); TaskBatch b = new PlantedModel.Task().batch(Rng.seeded("planted", 2), 32);
             AcdcRun fp = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.CORRUPTED)) {
            List<Set<Edge>> a = new ArrayList<>(), q = new ArrayList<>();
            Circuit cq;
            try (AcdcRun pq = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.INT8, AcdcSettings.Ablation.CORRUPTED)) {
                for (double t : TAUS) q.add(pq.run(AcdcSettings.pahq(t), null).edges());
                cq = pq.run(AcdcSettings.pahq(1e-3), null);
                // while it is open the model's float32 weights are the PAHQ run's: another run over the model refuses
                IllegalStateException held = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                        () -> fp.run(AcdcSettings.fastExact(1e-3), null));
                assertTrue(held.getMessage().contains("close that AcdcRun"), held.getMessage());
            }
            for (double t : TAUS) a.add(fp.run(AcdcSettings.fastExact(t), null).edges());
            Set<Edge> all = new LinkedHashSet<>(fp.graph().edges());
            double aucF = PlantedModel.rocAuc(a, all), aucQ = PlantedModel.rocAuc(q, all);
            System.out.printf("planted ROC AUC: fp32 %.4f, pahq %.4f over %d thresholds%n", aucF, aucQ, TAUS.length);
            assertTrue(aucF > 0.95, "fp32 ACDC AUC " + aucF);
            Circuit cf = fp.run(AcdcSettings.fastExact(1e-3), null);
            double klF = fp.metricOf(cf.removed()), klQ = fp.metricOf(cq.removed());
            System.out.printf("planted τ=1e-3: edge F1 %.4f, circuit KL %.5f vs %.5f%n", Circuit.f1(cf.edges(), cq.edges()), klQ, klF);
            assertTrue(Circuit.f1(cf.edges(), cq.edges()) >= 0.95);
            assertTrue(Math.abs(klQ - klF) <= 0.05 * klF + 1e-6, "circuit KL " + klQ + " vs " + klF);
            assertTrue(Math.abs(aucF - aucQ) <= 0.02, "PAHQ AUC " + aucQ + " vs fp32 " + aucF);
        }
    }

    @Test
    void zeroAblationRunsAndKeepsTheOutputPath() {
        try (Gpt2Model m = ModelZoo.planted(AcdcInductionTest.MODELS); TaskBatch b = new PlantedModel.Task().batch(Rng.seeded("planted", 3), 16);
             AcdcRun run = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.ZERO)) {
            Circuit c = run.run(AcdcSettings.fastExact(1e-3).withAblation(AcdcSettings.Ablation.ZERO), null);
            System.out.println("planted zero ablation: " + c.edges());
            assertTrue(c.edges().contains(Edge.parse("a1.0->output")));
            assertTrue(c.edges().contains(Edge.parse("a0.0->a1.0.v")));
        }
    }
}
