package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parallel z stream ({@link ZoRng#PARALLEL}): its numbers are N(0, 1) (moments and probabilities within bounds
 * derived from the sample size: 5 standard errors), no two chunks repeat, the threaded fill and the fused pass give
 * the per-element reference's bits whatever the thread count, chunking and offset, and the fused pass equals the
 * reference path's libtorch ops (update, scale, add) bit for bit.
 */
class ParallelStreamTest {
    static final int N = 1 << 22;

    static float[] draw(ParallelPerturbation pp, long key, long offset, int n) {
        try (Scope s = Scope.open()) {
            Tensor t = Tensors.empty(DType.F32, Device.CPU, n);
            pp.fill(t, key, offset);
            return t.toFloatArray();
        }
    }

    @Test
    void momentsAndProbabilitiesAreThoseOfAStandardNormal() {
        try (ParallelPerturbation pp = new ParallelPerturbation(2)) {
            for (long seed : new long[] {0, 42, new ZoHyperparameters(1e-3, 0, 0, 7).stepSeed(3)}) {
                float[] z = draw(pp, CounterNormals.key(seed), 0, N);
                double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
                long in1 = 0, in2 = 0, in3 = 0, tail = 0;
                for (float f : z) {
                    double x = f, x2 = x * x;
                    m1 += x;
                    m2 += x2;
                    m3 += x2 * x;
                    m4 += x2 * x2;
                    double a = Math.abs(x);
                    if (a < 1) in1++;
                    if (a < 2) in2++;
                    if (a < 3) in3++;
                    if (a > CounterNormals.R) tail++;
                    assertTrue(Float.isFinite(f));
                }
                double n = z.length;
                String what = "seed " + seed + ": ";
                // standard errors of the sample moments of N(0, 1): √(1/n), √(2/n), √(15/n), √(96/n)
                within(m1 / n, 0, Math.sqrt(1 / n), what + "mean");
                within(m2 / n, 1, Math.sqrt(2 / n), what + "variance");
                within(m3 / n, 0, Math.sqrt(15 / n), what + "third moment");
                within(m4 / n, 3, Math.sqrt(96 / n), what + "fourth moment");
                // P(|z| < k) for k = 1, 2, 3 and beyond the ziggurat's tail start R: binomial standard errors
                proportion(in1 / n, 0.6826894921370859, n, what + "P(|z|<1)");
                proportion(in2 / n, 0.9544997361036416, n, what + "P(|z|<2)");
                proportion(in3 / n, 0.9973002039367398, n, what + "P(|z|<3)");
                proportion(tail / n, 2.580324876539013e-4, n, what + "P(|z|>R)");
            }
        }
    }

    /**
     * The shape in detail, where a ziggurat's layer tables or acceptance bounds could be off: 64 bins of width 1/8 over
     * [−4, 4] and the two tails, a chi-square test against probabilities integrated from the density (Simpson's rule),
     * bound at the mean plus 6 standard deviations of χ² with 65 degrees of freedom (a 5 % error in the layers'
     * acceptance bounds gives χ² of 820–880); and neighbouring elements (2p, 2p + 1) are uncorrelated (5 standard errors).
     */
    @Test
    void binnedShapeIsNormalAndNeighboursAreUncorrelated() {
        int bins = 64;
        double width = 8.0 / bins;
        double[] prob = new double[bins + 2];
        double inner = 0;
        for (int b = 0; b < bins; b++) {
            double lo = -4 + b * width, h = width / 1000, sum = 0;
            for (int k = 0; k <= 1000; k++) sum += (k == 0 || k == 1000 ? 1 : k % 2 == 1 ? 4 : 2) * Math.exp(-Math.pow(lo + k * h, 2) / 2);
            prob[b + 1] = sum * h / 3 / Math.sqrt(2 * Math.PI);
            inner += prob[b + 1];
        }
        prob[0] = prob[bins + 1] = (1 - inner) / 2;
        try (ParallelPerturbation pp = new ParallelPerturbation(2)) {
            for (long seed : new long[] {1, 99}) {
                float[] z = draw(pp, CounterNormals.key(seed), 0, N);
                long[] count = new long[bins + 2];
                double sxy = 0, sxx = 0, syy = 0;
                for (int j = 0; j < z.length; j++) {
                    double x = z[j];
                    count[x < -4 ? 0 : x >= 4 ? bins + 1 : 1 + Math.min(bins - 1, (int) ((x + 4) / width))]++;
                    if ((j & 1) == 1) {
                        sxy += z[j - 1] * x;
                        sxx += (double) z[j - 1] * z[j - 1];
                        syy += x * x;
                    }
                }
                double chi2 = 0;
                for (int b = 0; b < bins + 2; b++) chi2 += Math.pow(count[b] - N * prob[b], 2) / (N * prob[b]);
                double df = bins + 1;
                assertTrue(chi2 < df + 6 * Math.sqrt(2 * df), "seed " + seed + ": chi-square " + chi2 + " over " + df + " df");
                within(sxy / Math.sqrt(sxx * syy), 0, Math.sqrt(2.0 / N), "seed " + seed + ": correlation of neighbours");
            }
        }
    }

    static void within(double v, double expected, double se, String what) {
        assertTrue(Math.abs(v - expected) <= 5 * se, what + " = " + v + ", expected " + expected + " ± 5 × " + se);
    }

    static void proportion(double p, double expected, double n, String what) {
        within(p, expected, Math.sqrt(expected * (1 - expected) / n), what);
    }

    /**
     * The draw threads follow the cores the process may use (-Dfrugal.cores, set for Spark executors) and the compute
     * threads: with the cores full the loader draws alone or, on several cores, every core draws between blocks.
     */
    @Test
    void drawThreadsFollowTheCoresGivenAndTheComputeThreads() {
        String cores = System.getProperty("frugal.cores"), threads = System.getProperty("frugal.threads");
        try {
            System.setProperty("frugal.cores", "1");
            System.setProperty("frugal.threads", "1");
            assertEquals(1, dev.frugal.tensor.Threads.cores());
            assertEquals(1, Zo2Engine.rngThreads(), "a 1-core executor: the loader draws alone");
            assertTrue(!Zo2Engine.drawsInline(), "one core: nothing to draw with between blocks");
            System.setProperty("frugal.cores", "4");
            assertEquals(4, Zo2Engine.rngThreads(), "the 3 cores the compute thread leaves, and the loader's");
            System.setProperty("frugal.threads", "4");
            assertEquals(1, Zo2Engine.rngThreads());
            assertTrue(Zo2Engine.drawsInline(), "4 compute threads on 4 cores: every core draws between blocks");
            System.setProperty("frugal.cores", "two");
            assertEquals(Runtime.getRuntime().availableProcessors(), dev.frugal.tensor.Threads.cores(),
                    "an unreadable count falls back to the JVM's");
        } finally {
            restore("frugal.cores", cores);
            restore("frugal.threads", threads);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) System.clearProperty(key);
        else System.setProperty(key, value);
    }

    /**
     * Chunks of 1024 from 8 step keys × 64 element offsets (the starts of parameters in a flattened vector: some odd,
     * neighbours 1 to 3000 apart, so many ranges overlap at a lag): all distinct, and no two correlated beyond 6
     * standard errors (1/√1024) of a sample correlation.
     */
    @Test
    void noTwoChunksRepeat() {
        int len = 1024, steps = 8, offs = 64;
        float[][] chunks = new float[steps * offs][];
        Random r = new Random(5);
        long[] offsets = new long[offs];
        for (int j = 1; j < offs; j++) offsets[j] = offsets[j - 1] + 1 + r.nextInt(3000); // overlapping ranges too
        try (ParallelPerturbation pp = new ParallelPerturbation(2)) {
            ZoHyperparameters hp = new ZoHyperparameters(1e-3, 0, 0, 11);
            for (int s = 0; s < steps; s++)
                for (int j = 0; j < offs; j++) chunks[s * offs + j] = draw(pp, CounterNormals.key(hp.stepSeed(s)), offsets[j], len);
        }
        Set<String> seen = new HashSet<>();
        for (float[] c : chunks) assertTrue(seen.add(Arrays.toString(c)), "a chunk repeats");
        double bound = 6 / Math.sqrt(len), worst = 0;
        for (int a = 0; a < chunks.length; a++)
            for (int b = a + 1; b < chunks.length; b++) worst = Math.max(worst, Math.abs(corr(chunks[a], chunks[b])));
        assertTrue(worst < bound, "largest |correlation| between two chunks " + worst + " >= " + bound);
    }

    static double corr(float[] x, float[] y) {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < x.length; i++) {
            sx += x[i];
            sy += y[i];
            sxx += (double) x[i] * x[i];
            syy += (double) y[i] * y[i];
            sxy += (double) x[i] * y[i];
        }
        double n = x.length;
        return (sxy - sx * sy / n) / Math.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
    }

    /** The threaded fill equals the per-element reference, for any thread count, offset and length. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void threadedFillEqualsTheElementwiseReference(long seed) {
        Random r = new Random(seed);
        long key = CounterNormals.key(r.nextLong());
        long offset = r.nextInt(1 << 20) * 2L + 1; // odd: chunks do not start at multiples of the chunk size
        int n = 3 * ParallelPerturbation.CHUNK + 1 + r.nextInt(5000);
        float[] one, three;
        try (ParallelPerturbation p1 = new ParallelPerturbation(1); ParallelPerturbation p3 = new ParallelPerturbation(3)) {
            one = draw(p1, key, offset, n);
            three = draw(p3, key, offset, n);
        }
        assertTrue(Arrays.equals(one, three), "seed " + seed + ": 1 and 3 threads differ");
        for (int j = 0; j < n; j += 1 + r.nextInt(97))
            assertEquals(Float.floatToRawIntBits(CounterNormals.normal(key, offset + j)), Float.floatToRawIntBits(one[j]),
                    "seed " + seed + ": element " + j);
        // a slice drawn at its own offset is the same numbers as inside the longer draw
        try (ParallelPerturbation p2 = new ParallelPerturbation(2)) {
            float[] part = draw(p2, key, offset + 777, 4096);
            assertTrue(Arrays.equals(Arrays.copyOfRange(one, 777, 777 + 4096), part), "seed " + seed + ": a slice differs");
        }
    }

    /**
     * The fused pass against the reference path's libtorch ops on random θ and settings: the previous step's update
     * (z' into a buffer, {@link Resident#update}, with and without weight decay), then z·ε and θ + zε. Bit for bit,
     * with 1 and 3 threads.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void fusedPassEqualsLibtorchReference(long seed) {
        Random r = new Random(seed);
        int n = ParallelPerturbation.CHUNK + 1 + r.nextInt(20000);
        long offset = r.nextInt(1 << 16);
        boolean decay = r.nextBoolean(), hasUpdate = seed % 3 != 0;
        ZoHyperparameters hp = new ZoHyperparameters(Math.pow(10, -1 - 3 * r.nextDouble()), 1e-2,
                decay ? r.nextDouble() : 0, seed, ZoRng.PARALLEL);
        PendingUpdate upd = hasUpdate ? new PendingUpdate(r.nextLong(), r.nextGaussian() * 50, Math.pow(10, -2 - 4 * r.nextDouble())) : null;
        long prevKey = upd == null ? 0 : CounterNormals.key(upd.seed()), curKey = CounterNormals.key(r.nextLong());
        String name = decay ? "layers.0.fc1.weight" : "layers.0.fc1.bias";
        try (Scope s = Scope.open(); Rng g = Rng.seeded("theta", seed);
             ParallelPerturbation p1 = new ParallelPerturbation(1); ParallelPerturbation p3 = new ParallelPerturbation(3)) {
            Tensor theta = Tensors.randn(g, n).mul(0.05);
            // reference: libtorch ops, as the MeZO-stream path runs them
            Tensor ref = theta.cloneTensor(), z = Tensors.empty(DType.F32, Device.CPU, n);
            if (upd != null) {
                p1.fill(z, prevKey, offset);
                Resident.update(ref, z, name, upd, hp);
            }
            p1.fill(z, curKey, offset);
            Tensor zEpsRef = z.scaleInPlace(hp.eps());
            ref.addInPlace(zEpsRef, 1.0);
            for (ParallelPerturbation pp : new ParallelPerturbation[] {p1, p3}) {
                Tensor fused = theta.cloneTensor(), zEps = Tensors.empty(DType.F32, Device.CPU, n);
                pp.updateAndPerturb(fused, zEps, offset, prevKey, upd, ZoHyperparameters.decays(name), hp, curKey);
                String what = "seed " + seed + ", " + pp.threads() + " threads, update " + hasUpdate + ", decay " + decay;
                assertTrue(Tensors.equal(zEpsRef, zEps), what + ": z·ε differs");
                assertTrue(Tensors.equal(ref, fused), what + ": θ₊ differs");
            }
        }
    }
}
