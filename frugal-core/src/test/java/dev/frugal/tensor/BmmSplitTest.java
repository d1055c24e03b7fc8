package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Tensors#bmmSplit} against {@code matmul}, and {@link Threads#runSplit} restoring the BLAS thread count. */
class BmmSplitTest {
    @Test
    void equalsMatmulForEveryBatchSplit() {
        int before = Threads.aten();
        Threads.configure(2);
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("bmm-split", 3);
            for (long batch : new long[] {1, 2, 3, 7}) {
                Tensor a = Tensors.randn(rng, batch, 5, 9), b = Tensors.randn(rng, batch, 9, 4);
                Tensor got = Tensors.bmmSplit(a, b), want = a.matmul(b);
                assertArrayEquals(want.shape(), got.shape());
                assertTrue(Tensors.maxAbsDiff(got, want) < 1e-5, "B=" + batch);
                // a transposed (strided) operand, as per-sample gradients use
                Tensor at = Tensors.randn(rng, batch, 9, 5).transpose(1, 2);
                assertTrue(Tensors.maxAbsDiff(Tensors.bmmSplit(at, b), at.matmul(b)) < 1e-5, "transposed, B=" + batch);
            }
        } finally {
            Threads.configure(before);
        }
    }

    @Test
    void mmSplitKEqualsMatmul() {
        int before = Threads.aten();
        Threads.configure(2);
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("mm-split-k", 4);
            for (long k : new long[] {1, 2, 5, 301}) {
                Tensor a = Tensors.randn(rng, k, 6).t(), b = Tensors.randn(rng, k, 3); // a transposed, as the sum uses
                assertTrue(Tensors.maxAbsDiff(Tensors.mmSplitK(a, b), a.matmul(b)) < 1e-4, "K=" + k);
            }
        } finally {
            Threads.configure(before);
        }
    }

    /** The shapes the split rule was measured on (docs/dp.md): GPT-2's products run whole, the CNN's split. */
    @Test
    void splitRuleFollowsTheMeasuredShapes() {
        assertFalse(Tensors.splitsBatch(256, 128, 768), "GPT-2 block per-sample GEMM");
        assertTrue(Tensors.splitsBatch(32, 25, 256), "CNN per-patch GEMM");
        assertTrue(Tensors.splitsBatch(5, 9, 4), "the small products above");
        assertFalse(Tensors.splitsK(256, 2048, 1024), "GPT-2 clipped-sum GEMM");
        assertTrue(Tensors.splitsK(16, 401_408, 64), "CNN conv1 clipped sum");
        assertTrue(Tensors.splitsK(6, 301, 3), "K = 301 above");
        assertFalse(Tensors.splitsK(6, 5, 3), "K = 5 above");
    }

    @Test
    void runSplitReturnsResultsInOrderAndRestoresBlasThreads() {
        int before = Threads.aten();
        Threads.configure(2);
        try {
            List<Integer> r = Threads.runSplit(3, i -> i * 10);
            assertEquals(List.of(0, 10, 20), r);
            assertTrue(Threads.openBlas().isPresent(), "libtorch's OpenBLAS thread count is readable");
            assertEquals(2, (int) Threads.openBlas().orElseThrow());
            // overlapping splits from two caller threads still restore the count once both end
            Thread other = new Thread(() -> Threads.runSplit(2, i -> {
                try { Thread.sleep(50); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                return i;
            }));
            other.start();
            Threads.runSplit(2, i -> {
                try { Thread.sleep(30); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                return i;
            });
            try { other.join(); } catch (InterruptedException e) { throw new IllegalStateException(e); }
            assertEquals(2, (int) Threads.openBlas().orElseThrow());
        } finally {
            Threads.configure(before);
        }
    }
}
