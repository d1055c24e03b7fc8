package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Rng;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ACDC on the small GPT (LayerNorm, MLPs) frugal trains on the permuted-previous-token task. */
class AcdcPermutedGptTest {
    /** Tiny models: one thread (two OpenMP threads on a shared 2-core box ran training 30× slower). */
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    @Test
    void pahqCircuitMatchesFp32AndUsesAPreviousTokenPath() {
        try (Gpt2Model m = ModelZoo.permutedGpt(AcdcInductionTest.MODELS)) {
            double acc = TaskTraining.accuracy(m, ModelZoo.PERMUTED, Rng.seeded("acc", 9), 256);
            System.out.printf("permuted-gpt accuracy: %.3f%n", acc);
            assertTrue(acc > 0.9, "the permuted-previous model did not learn its task: accuracy " + acc);
            try (TaskBatch b = ModelZoo.PERMUTED.batch(Rng.seeded("acdc", 1), 32);
                 AcdcRun fp = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.CORRUPTED)) {
                double tau = 0.05;
                Circuit ref = fp.run(AcdcSettings.fastExact(tau), null);
                Circuit pahq, half; // one PAHQ run open at a time: each holds the model's float32 weights
                try (AcdcRun pq = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.INT8, AcdcSettings.Ablation.CORRUPTED)) {
                    pahq = pq.run(AcdcSettings.pahq(tau), null);
                }
                try (AcdcRun bf = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.BF16, AcdcSettings.Ablation.CORRUPTED)) {
                    half = bf.run(new AcdcSettings(tau, AcdcSettings.Ablation.CORRUPTED, Precision.BF16, true, 8), null);
                }
                Set<Edge> e = ref.edges();
                System.out.printf("permuted fp32 τ=%.3g: %d of %d edges, KL %.4f, %.2f s; int8 %d edges %.2f s; bf16 %d edges %.2f s%n",
                        tau, e.size(), fp.graph().edges().size(), ref.circuitMetric(), ref.seconds(), pahq.edges().size(),
                        pahq.seconds(), half.edges().size(), half.seconds());
                System.out.print(CircuitReport.table(ref));
                assertTrue(e.stream().anyMatch(x -> x.receiver().kind() == Node.Kind.OUTPUT), "nothing reaches the output");
                double f1 = Circuit.f1(e, pahq.edges()), f1b = Circuit.f1(e, half.edges());
                double klF = fp.metricOf(ref.removed()), klQ = fp.metricOf(pahq.removed());
                System.out.printf("pahq vs fp32: edge F1 %.4f (bf16 %.4f), circuit KL %.4f vs %.4f%n", f1, f1b, klQ, klF);
                assertTrue(f1 >= 0.95, "int8 edge F1 " + f1);
                assertTrue(f1b >= 0.95, "bf16 edge F1 " + f1b);
                assertTrue(Math.abs(klQ - klF) <= 0.05 * klF + 1e-6, "circuit KL " + klQ + " vs " + klF);
                assertEquals(e, fp.run(AcdcSettings.reference(tau), null).edges(), "exact accelerations changed the circuit");
            }
        }
    }
}
