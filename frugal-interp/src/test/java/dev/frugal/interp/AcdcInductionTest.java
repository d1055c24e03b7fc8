package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Rng;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ACDC on the 2-layer attention-only model frugal trains on repeated random sequences. */
class AcdcInductionTest {
    /** Tiny models: one thread (two OpenMP threads on a shared 2-core box ran training 30× slower). */
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    static final Path MODELS = Path.of("target", "acdc-models");

    @Test
    void findsLayer0HeadsFeedingALayer1HeadThatReachesTheOutputAndPahqAgrees() {
        try (Gpt2Model m = ModelZoo.induction2l(MODELS)) {
            double acc = TaskTraining.accuracy(m, ModelZoo.INDUCTION, Rng.seeded("acc", 9), 256);
            System.out.printf("induction-2l accuracy on repeated halves: %.3f%n", acc);
            assertTrue(acc > 0.9, "the induction model did not learn induction: accuracy " + acc);
            try (TaskBatch b = ModelZoo.INDUCTION.batch(Rng.seeded("acdc", 1), 32);
                 AcdcRun fp = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.CORRUPTED)) {
                double tau = 0.05;
                Circuit ref = fp.run(AcdcSettings.reference(tau), null);
                Circuit fast = fp.run(AcdcSettings.fastExact(tau), null);
                Circuit pahq;
                try (AcdcRun pq = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.INT8, AcdcSettings.Ablation.CORRUPTED)) {
                    pahq = pq.run(AcdcSettings.pahq(tau), null); // the model's float32 weights are back once pq closes
                }
                Set<Edge> e = ref.edges();
                System.out.printf("induction fp32 ACDC τ=%.3g: %d of %d edges, KL %.4f, %d forwards, %.2f s%n", tau, e.size(),
                        fp.graph().edges().size(), ref.circuitMetric(), ref.forwards(), ref.seconds());
                ref.keptDeltas().forEach((x, d) -> System.out.printf("  %-16s %.4f%n", x, d));
                System.out.printf("fast exact: %d edges, %d forwards, %.2f s; pahq: %d edges, %d forwards, %.2f s%n",
                        fast.edges().size(), fast.forwards(), fast.seconds(), pahq.edges().size(), pahq.forwards(), pahq.seconds());
                assertEquals(e, fast.edges(), "the exact accelerations must find the same circuit");
                Path png = CircuitReport.write(Path.of("target", "acdc-induction"), ref, "induction-2l", "induction",
                        fp.graph().edges().size());
                System.out.println("drawn: " + png);
                // induction composes two layers: a layer-0 head's output read by a layer-1 head that writes to the
                // output. Through which input depends on what training found, and training's rounding depends on the
                // CPU: on an AVX2 VM the circuit kept layer-0 heads → a1.3's key (K-composition), on an AVX-512 VM only
                // value edges (the repeat offset is fixed, so a layer-1 head can find the copy position from the
                // positions, which the corrupted run shares)
                boolean composed = false;
                for (Edge x : e)
                    if (x.sender().kind() == Node.Kind.HEAD && x.sender().layer() == 0 && x.receiver().layer() == 1
                            && java.util.EnumSet.of(Node.Kind.Q, Node.Kind.K, Node.Kind.V).contains(x.receiver().kind())
                            && e.contains(new Edge(Node.head(1, x.receiver().head()), Node.output())))
                        composed = true;
                assertTrue(composed, "no layer-0 head → layer-1 head (q, k or v) edge whose head reaches the output: " + e);
                double f1 = Circuit.f1(e, pahq.edges());
                double klF = fp.metricOf(ref.removed()), klQ = fp.metricOf(pahq.removed());
                System.out.printf("pahq vs fp32: edge F1 %.4f, circuit KL %.4f vs %.4f (%.2f%%)%n", f1, klQ, klF,
                        100 * Math.abs(klQ - klF) / klF);
                assertTrue(f1 >= 0.95, "edge F1 " + f1);
                assertTrue(Math.abs(klQ - klF) <= 0.05 * klF + 1e-6, "circuit KL " + klQ + " vs " + klF);
            }
        }
    }
}
