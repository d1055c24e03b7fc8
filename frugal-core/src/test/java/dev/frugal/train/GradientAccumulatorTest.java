package dev.frugal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientAccumulatorTest {

    private static Tensor mse(Tensor x, Tensor y, Tensor w) { // x (n, 4), y (n, 1), w (1, 4)
        return x.matmul(w.t()).sub(y).pow(2).mean();
    }

    /** Four micro-batches of 2 with accumulation = one batch of 8: same parameters after the step (to 1e-6). */
    @Test
    void fourMicroBatchesEqualOneBigBatch() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("acc", 3);
            Tensor x = Tensors.randn(rng, 8, 4);
            Tensor y = Tensors.randn(rng, 8, 1);
            Tensor w0 = Tensors.randn(rng, 1, 4);
            Tensor big = w0.cloneTensor().requiresGrad(true);
            Tensor small = w0.cloneTensor().requiresGrad(true);
            try (Sgd a = new Sgd(List.of(big), SgdConfig.momentum(0.1, 0.9));
                 Sgd b = new Sgd(List.of(small), SgdConfig.momentum(0.1, 0.9))) {
                GradientAccumulator acc = new GradientAccumulator(b, 4);
                for (int step = 0; step < 3; step++) {
                    mse(x, y, big).backward();
                    a.step();
                    a.zeroGrad();
                    for (int k = 0; k < 4; k++) {
                        boolean stepped = acc.backward(mse(x.narrow(0, 2L * k, 2), y.narrow(0, 2L * k, 2), small));
                        assertEquals(k == 3, stepped);
                    }
                    assertEquals(0, acc.pending());
                    assertFalse(small.grad().defined(), "gradients are dropped after the step");
                }
                double diff = Tensors.maxAbsDiff(big.detach(), small.detach());
                System.out.println("accumulated 4×2 vs batch of 8, 3 SGD steps: max |diff| = " + diff);
                assertTrue(diff < 1e-6, "diff " + diff);
                assertEquals(3, b.steps());
            }
        }
    }

    /** A partial group of 2 (of 4) is rescaled to the mean over the 2 micro-batches seen. */
    @Test
    void flushRescalesAPartialGroup() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("acc", 4);
            Tensor x = Tensors.randn(rng, 4, 4);
            Tensor y = Tensors.randn(rng, 4, 1);
            Tensor w0 = Tensors.randn(rng, 1, 4);
            Tensor big = w0.cloneTensor().requiresGrad(true);
            Tensor small = w0.cloneTensor().requiresGrad(true);
            try (Sgd a = new Sgd(List.of(big), SgdConfig.plain(0.1));
                 Sgd b = new Sgd(List.of(small), SgdConfig.plain(0.1))) {
                mse(x, y, big).backward();
                a.step();
                GradientAccumulator acc = new GradientAccumulator(b, 4);
                acc.backward(mse(x.narrow(0, 0, 2), y.narrow(0, 0, 2), small));
                acc.backward(mse(x.narrow(0, 2, 2), y.narrow(0, 2, 2), small));
                assertTrue(acc.flush());
                assertFalse(acc.flush(), "nothing pending");
                assertTrue(Tensors.maxAbsDiff(big.detach(), small.detach()) < 1e-6);
            }
        }
    }
}
