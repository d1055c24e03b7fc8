package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ACDC's metrics against their definitions computed directly in float64 (log-softmax over the whole vocabulary): the
 * whole logits at once, and the same logits delivered in uneven vocabulary chunks out of order (how an LM head read
 * a chunk of rows at a time feeds them), with rows large enough that the log-sum-exp runs a slice of rows at a time.
 */
class MetricTest {
    /** A row of P·V logits is just over {@link Metric.Accumulator#SLICE_ELEMENTS}: the log-sum-exp runs row by row. */
    static final int K = 3, B = 2, P = 4, V = (int) (Metric.Accumulator.SLICE_ELEMENTS / 4) + 3;

    @Test
    void klToCleanMatchesItsDefinitionWholeAndInChunks() {
        try (Scope s = Scope.open()) {
            Tensor clean = Tensors.randn(Rng.seeded("metric-clean", 1), B, P, V).mul(3.0);
            Tensor logits = Tensors.randn(Rng.seeded("metric-patched", 2), K * B, P, V).mul(3.0);
            // KL(p_clean ‖ p_patched) per row, averaged over B and P, in float64
            Tensor lq = NN.logSoftmax(clean.to(DType.F64), -1);
            Tensor lp = NN.logSoftmax(logits.to(DType.F64), -1).view(K, B, P, V);
            double[] want = lq.exp().mul(lq.sub(lp)).sum(3, false).view(K, B * P).mean(1, false).toDoubleArray();
            try (Metric m = Metric.KlToClean.of(clean, new long[] {0, 1, 2, 3})) {
                check(m, logits, want);
            }
        }
    }

    @Test
    void taskLossMatchesItsDefinitionWholeAndInChunks() {
        try (Scope s = Scope.open()) {
            Tensor logits = Tensors.randn(Rng.seeded("metric-patched", 2), K * B, P, V).mul(3.0);
            Tensor targets = Tensors.randint(0, V, Rng.seeded("metric-targets", 3), B, P);
            Tensor lp = NN.logSoftmax(logits.to(DType.F64), -1);
            Tensor tg = PatchedForward.repeat(targets.unsqueeze(2), K);
            double[] want = lp.gather(2, tg).neg().view(K, B * P).mean(1, false).toDoubleArray();
            try (Metric m = Metric.TaskLoss.of(targets, new long[] {0, 1, 2, 3})) {
                check(m, logits, want);
            }
        }
    }

    private static void check(Metric m, Tensor logits, double[] want) {
        double[] whole = m.evaluateAtPositions(logits, K);
        double[] chunked;
        try (Metric.Accumulator a = m.accumulator(K)) {
            long[][] chunks = {{600, V - 600}, {0, 1}, {1, 255}, {256, 344}}; // uneven, out of order, covering 0..V-1
            for (long[] c : chunks) a.add(c[0], logits.narrow(2, c[0], c[1]));
            chunked = a.finish();
        }
        for (int k = 0; k < K; k++) {
            assertEquals(want[k], whole[k], 1e-5 * (1 + Math.abs(want[k])), m.name() + " whole, configuration " + k);
            assertEquals(want[k], chunked[k], 1e-5 * (1 + Math.abs(want[k])), m.name() + " chunked, configuration " + k);
        }
        try (Metric.Accumulator a = m.accumulator(K)) {
            assertThrows(IllegalStateException.class, a::finish, "finish before any logits");
        }
    }
}
