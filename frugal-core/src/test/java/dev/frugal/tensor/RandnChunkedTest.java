package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Tensors#randnChunked}: its stream's definition, its independence of the thread count, its moments. */
class RandnChunkedTest {
    private static final long C = Tensors.RANDN_CHUNK;

    /** Up to one chunk it is randn: the same draws from the same stream, and the stream left in the same state. */
    @Test
    void oneChunkOrLessIsRandn() {
        for (long[] shape : new long[][] {{3, 5}, {C}, {64, C / 64}}) {
            try (Scope s = Scope.open(); Rng a = Rng.seeded("rc", 7); Rng b = Rng.seeded("rc", 7)) {
                assertArrayEquals(Tensors.randn(a, DType.F32, Device.CPU, shape).toFloatArray(),
                        Tensors.randnChunked(b, DType.F32, shape).toFloatArray(), Arrays.toString(shape));
                assertArrayEquals(Tensors.randn(a, 4).toFloatArray(), Tensors.randn(b, 4).toFloatArray(),
                        "the stream after the draw");
            }
        }
    }

    /**
     * Beyond one chunk: chunk k is a fresh generator's draw, seeded by the k-th of the seeds drawn first; the values
     * are the same with 1, 2 and 3 threads; the stream moved by the seed draw alone.
     */
    @Test
    void chunksFollowTheirSeedsWhateverTheThreadCount() {
        long[] shape = {5, (2 * C + C / 2 + 3) / 5 + 1}; // 2.5 chunks and a ragged end
        long n = shape[0] * shape[1];
        int chunks = (int) ((n + C - 1) / C);
        int before = Threads.aten();
        try (Scope s = Scope.open()) {
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                Threads.configureThisThread(threads);
                try (Rng r = Rng.seeded("rc", 11)) {
                    Tensor z = Tensors.randnChunked(r, DType.F32, shape);
                    assertArrayEquals(shape, z.shape());
                    float[] v = z.toFloatArray();
                    if (first == null) first = v;
                    else assertArrayEquals(first, v, threads + " threads give other values");
                }
            }
            try (Rng twin = Rng.seeded("rc", 11); Rng after = Rng.seeded("rc", 11)) {
                long[] seeds = Tensors.randint(0, 1L << 62, twin, chunks).toLongArray();
                for (int k = 0; k < chunks; k++) {
                    long len = Math.min(C, n - k * C);
                    try (Rng g = Rng.seeded("chunk", seeds[k])) {
                        float[] expected = Tensors.empty(DType.F32, Device.CPU, len).normalInPlace(0, 1, g).toFloatArray();
                        assertArrayEquals(expected, Arrays.copyOfRange(first, (int) (k * C), (int) (k * C + len)),
                                "chunk " + k);
                    }
                }
                Tensors.randnChunked(after, DType.F32, shape);
                assertArrayEquals(Tensors.randn(twin, 8).toFloatArray(), Tensors.randn(after, 8).toFloatArray(),
                        "the stream advanced by the seed draw only");
            }
        } finally {
            Threads.configureThisThread(before);
        }
    }

    /** Mean 0 and variance 1 within sampling error over 4 Mi + 1 values, and no chunk repeats another's values. */
    @Test
    void momentsAndDistinctChunks() {
        try (Scope s = Scope.open(); Rng r = Rng.seeded("rc-moments", 3)) {
            long n = 4 * C + 1;
            Tensor z = Tensors.randnChunked(r, DType.F32, n).to(DType.F64);
            double mean = z.mean().itemDouble(), var = z.sub(mean).square().mean().itemDouble();
            double sd = 1 / Math.sqrt(n);
            assertTrue(Math.abs(mean) < 5 * sd, "mean " + mean);
            assertTrue(Math.abs(var - 1) < 5 * Math.sqrt(2.0) * sd, "variance " + var); // Var(s²) = 2/n for a normal
            double m4 = z.sub(mean).pow(4).mean().itemDouble();
            assertEquals(3, m4, 0.05, "fourth moment (3 for a normal)");
            float[] v = z.to(DType.F32).toFloatArray();
            int chunks = (int) ((n + C - 1) / C);
            for (int a = 0; a < chunks; a++)
                for (int b = a + 1; b < chunks; b++) {
                    float[] x = Arrays.copyOfRange(v, (int) (a * C), (int) (a * C + 16));
                    float[] y = Arrays.copyOfRange(v, (int) (b * C), (int) (Math.min(n, b * C + 16)));
                    assertFalse(Arrays.equals(x, Arrays.copyOf(y, 16)), "chunks " + a + " and " + b + " start alike");
                }
        }
    }
}
