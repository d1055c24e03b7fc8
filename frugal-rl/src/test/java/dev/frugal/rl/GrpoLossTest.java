package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * Each loss type on a 2 × 3 case worked by hand. Completion 0 has 2 tokens (advantage +1), completion 1 has 3
 * (advantage −0.5); L = 4. Token (0,0) has ratio e^0.5 = 1.6487 (clipped to 1 + ε_high = 1.28), token (1,1) ratio
 * e^−0.5 = 0.6065 (clipped to 1 − ε = 0.8, and the clipped term is the smaller: 0.8·(−0.5) = −0.4); every other ratio
 * is 1. So the per-token losses are row 0: [−1.28, −1], row 1: [0.5, 0.4, 0.5].
 */
class GrpoLossTest {
    private static final float[] LOGP = {-1f, -2f, -0.5f, -0.3f, -1.2f, -2f};
    private static final float[] OLD = {-1.5f, -2f, -0.5f, -0.3f, -0.7f, -2f};
    private static final float[] REF = {-1f, -1.5f, -0.5f, -0.5f, -1.2f, -2f};
    private static final float[] MASK = {1, 1, 0, 1, 1, 1};

    private static GrpoConfig cfg(LossType t) {
        return GrpoConfig.defaults(2, 4).withLossType(t).withClip(0.2, 0.28);
    }

    private static GrpoLoss.Parts loss(LossType t, float[] old, double beta) {
        return GrpoLoss.compute(Tensors.fromFloats(LOGP, 2, 3), Tensors.fromFloats(old, 2, 3),
                Tensors.fromFloats(REF, 2, 3), Tensors.fromFloats(new float[] {1f, -0.5f}, 2),
                Tensors.fromFloats(MASK, 2, 3), cfg(t).withBeta(beta));
    }

    @Test
    void clippedLossPerType() {
        try (Scope s = Scope.open()) {
            // grpo: mean over sequences of each one's token mean: ((−1.28 − 1)/2 + (0.5 + 0.4 + 0.5)/3) / 2
            assertEquals((-1.14 + 1.4 / 3) / 2, loss(LossType.GRPO, OLD, 0).loss().itemDouble(), 1e-6);
            // dapo: all tokens of the batch: (−2.28 + 1.4) / 5
            assertEquals(-0.176, loss(LossType.DAPO, OLD, 0).loss().itemDouble(), 1e-6);
            // dr_grpo: constant B · L = 8
            assertEquals(-0.11, loss(LossType.DR_GRPO, OLD, 0).loss().itemDouble(), 1e-6);
            assertEquals(0.4, loss(LossType.DAPO, OLD, 0).clipRatio(), 1e-9);
        }
    }

    @Test
    void firstIterationRatioIsOne() {
        try (Scope s = Scope.open()) {
            // old = logp: ℓ = −Â on every token
            assertEquals(-(1 - 0.5) / 2.0, loss(LossType.GRPO, LOGP, 0).loss().itemDouble(), 1e-6);
            assertEquals((-2 + 1.5) / 5.0, loss(LossType.DAPO, LOGP, 0).loss().itemDouble(), 1e-6);
            assertEquals((-2 + 1.5) / 8.0, loss(LossType.DR_GRPO, LOGP, 0).loss().itemDouble(), 1e-6);
        }
    }

    @Test
    void k3KlToTheReference() {
        try (Scope s = Scope.open()) {
            // k3(d) = e^d − d − 1 with d = log π_ref − log π_θ: token (0,1) d = 0.5, token (1,0) d = −0.2, others 0
            double k01 = Math.exp(0.5) - 1.5, k10 = Math.exp(-0.2) + 0.2 - 1;
            GrpoLoss.Parts p = loss(LossType.DAPO, OLD, 0.1);
            assertEquals((-0.88 + 0.1 * (k01 + k10)) / 5, p.loss().itemDouble(), 1e-6);
            assertEquals((k01 + k10) / 5, p.meanKl(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> GrpoLoss.compute(Tensors.fromFloats(LOGP, 2, 3),
                    Tensors.fromFloats(OLD, 2, 3), null, Tensors.fromFloats(new float[] {1f, -0.5f}, 2),
                    Tensors.fromFloats(MASK, 2, 3), cfg(LossType.DAPO).withBeta(0.1)));
        }
    }

    /** With ratio 1 the DAPO gradient of each token's log-probability is −Â_i / (tokens in the batch). */
    @Test
    void gradientOfTheFirstIteration() {
        try (Scope s = Scope.open()) {
            Tensor logp = Tensors.fromFloats(LOGP, 2, 3).requiresGrad(true);
            Tensor loss = GrpoLoss.compute(logp, logp.detach(), null, Tensors.fromFloats(new float[] {1f, -0.5f}, 2),
                    Tensors.fromFloats(MASK, 2, 3), cfg(LossType.DAPO)).loss();
            loss.backward();
            assertArrayEquals(new float[] {-0.2f, -0.2f, 0f, 0.1f, 0.1f, 0.1f}, logp.grad().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void advantagesPerScale() {
        double[] r = {1, 0, 0, 1, 0, 0, 0, 1};
        double g1 = 0.5 / (Math.sqrt(1.0 / 3) + 1e-4), g2 = 1 / (0.5 + 1e-4);
        assertArrayEquals(new double[] {g1, -g1, -g1, g1, -0.25 * g2, -0.25 * g2, -0.25 * g2, 0.75 * g2},
                Advantages.compute(r, 4, ScaleRewards.GROUP), 1e-12);
        double sb = Math.sqrt((3 * 0.625 * 0.625 + 5 * 0.375 * 0.375) / 7) + 1e-4;
        assertArrayEquals(new double[] {0.5 / sb, -0.5 / sb, -0.5 / sb, 0.5 / sb, -0.25 / sb, -0.25 / sb, -0.25 / sb,
                0.75 / sb}, Advantages.compute(r, 4, ScaleRewards.BATCH), 1e-12);
        assertArrayEquals(new double[] {0.5, -0.5, -0.5, 0.5, -0.25, -0.25, -0.25, 0.75},
                Advantages.compute(r, 4, ScaleRewards.NONE), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> Advantages.compute(r, 3, ScaleRewards.GROUP));
        assertTrue(e.getMessage().contains("num_generations 3"), e.getMessage());
    }

    @Test
    void optionNamesAreTrls() {
        assertEquals(LossType.DR_GRPO, LossType.parse("dr_grpo"));
        assertEquals(ScaleRewards.BATCH, ScaleRewards.parse("batch"));
        var e = assertThrows(dev.frugal.InvalidSettingException.class, () -> LossType.parse("ppo"));
        assertTrue(e.getMessage().contains("grpo, dr_grpo, dapo"), e.getMessage());
    }

    /** TRL's linear schedule without warm-up: lr at step 1, lr / T at step T, straight in between. */
    @Test
    void linearLearningRateSchedule() {
        assertEquals(1e-3, GrpoTrainer.linearSchedule(1e-3, 1, 4), 1e-18);
        assertEquals(7.5e-4, GrpoTrainer.linearSchedule(1e-3, 2, 4), 1e-18);
        assertEquals(2.5e-4, GrpoTrainer.linearSchedule(1e-3, 4, 4), 1e-18);
    }
}
