package dev.frugal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    /** Two Gaussian blobs in 16-d, centred at ±1.5 on the first axis: (2n, 16) and labels (n of each). */
    private static Tensor blobs(Rng rng, int n, int[] labels) {
        Tensor x = Tensors.randn(rng, 2L * n, 16);
        float[] shift = new float[2 * n * 16];
        for (int i = 0; i < 2 * n; i++) {
            labels[i] = i < n ? 0 : 1;
            shift[i * 16] = i < n ? -1.5f : 1.5f;
        }
        return x.add(Tensors.fromFloats(shift, 2L * n, 16));
    }

    @Test
    void separatesTwoBlobsAndBeatsTheMajorityBaseline() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("blobs", 1);
            int[] y = new int[200];
            Tensor x = blobs(rng, 100, y);
            int[] yt = new int[100];
            Tensor xt = blobs(rng, 50, yt);
            try (LinearProbe p = LinearProbe.train(x, y, 2, ProbeConfig.defaults().withEpochs(30), null)) {
                Metrics m = p.evaluate(xt, yt, 1);
                double[] losses = p.epochLosses();
                System.out.printf("blobs: test accuracy %.3f, loss %.4f -> %.4f%n", m.accuracy(), losses[0],
                        losses[losses.length - 1]);
                assertTrue(m.accuracy() > 0.9, "accuracy " + m.accuracy());
                assertTrue(losses[losses.length - 1] < losses[0]);
                assertEquals(0.5, LinearProbe.majorityBaseline(y, yt, 2, 1).accuracy());
            }
        }
    }

    @Test
    void sameSeedSameProbeBitForBit() {
        try (Scope s = Scope.open()) {
            int[] y = new int[40];
            Tensor x = blobs(Rng.seeded("blobs", 2), 20, y);
            ProbeConfig cfg = ProbeConfig.defaults().withEpochs(5).withBatchSize(8);
            try (LinearProbe a = LinearProbe.train(x, y, 2, cfg, null);
                 LinearProbe b = LinearProbe.train(x, y, 2, cfg, null);
                 LinearProbe c = LinearProbe.train(x, y, 2, cfg.withSeed(7), null)) {
                assertArrayEquals(a.epochLosses(), b.epochLosses());
                assertTrue(Tensors.equal(a.logits(x), b.logits(x)));
                assertTrue(!Tensors.equal(a.logits(x), c.logits(x)), "another seed, another probe");
            }
        }
    }

    @Test
    void majorityClassPrefersTheLowerClassOnTies() {
        assertEquals(1, LinearProbe.majorityClass(new int[] {1, 1, 0}, 2));
        assertEquals(0, LinearProbe.majorityClass(new int[] {1, 0}, 2));
    }

    @Test
    void mismatchedInputsAreRefused() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensors.zeros(3, 4);
            assertThrows(IllegalArgumentException.class,
                    () -> LinearProbe.train(x, new int[] {0, 1}, 2, ProbeConfig.defaults(), null));
            assertThrows(IllegalArgumentException.class,
                    () -> LinearProbe.train(x, new int[] {0, 1, 2}, 2, ProbeConfig.defaults(), null));
        }
    }
}
