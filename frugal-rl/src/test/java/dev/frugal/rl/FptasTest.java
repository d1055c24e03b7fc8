package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The FPTAS against brute force (every assignment) on small seeded instances: makespan ≤ (1 + ε)·OPT. */
class FptasTest {
    static LongStream seeds() { return LongStream.range(0, 60); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void withinEpsilonOfTheOptimum(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(8), m = 1 + r.nextInt(3);
        double eps = new double[] {0.05, 0.2, 0.5}[r.nextInt(3)];
        long[] p = new long[n];
        for (int i = 0; i < n; i++) p[i] = 1 + r.nextInt(r.nextBoolean() ? 10 : 200);
        long opt = brute(p, m, new long[m], 0);
        long got = Fptas.makespan(p, Fptas.assign(p, m, eps), m);
        assertTrue(got <= (1 + eps) * opt + 1e-9, "seed " + seed + ": FPTAS " + got + " > (1+" + eps + ")·" + opt);
        long lpt = Fptas.makespan(p, Fptas.lpt(p, m), m);
        assertTrue(lpt <= 4.0 / 3 * opt + 1e-9, "seed " + seed + ": LPT " + lpt + " vs OPT " + opt);
    }

    /**
     * Bench size (P·G = 256 completions of 1–25 tokens on g = 8 slots): every job is small next to a slot's total, so
     * the DP is empty and no state limit is hit; the makespan is within {@code (1 + ε)·LB ≤ (1 + ε)·OPT}.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("benchSeeds")
    void runsAtBenchSize(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 64 + r.nextInt(449), m = 8;
        long[] p = new long[n];
        for (int i = 0; i < n; i++) p[i] = 1 + r.nextInt(25);
        double eps = 0.2;
        double lb = Math.max((double) LongStream.of(p).sum() / m, LongStream.of(p).max().orElse(0));
        long got = Fptas.makespan(p, Fptas.assign(p, m, eps), m);
        assertTrue(got <= (1 + eps) * lb + 1e-9, "seed " + seed + ": n " + n + " makespan " + got + " > (1+ε)·LB " + lb);
    }

    static LongStream benchSeeds() { return LongStream.range(0, 10); }

    private static long brute(long[] p, int m, long[] loads, int k) {
        if (k == p.length) return LongStream.of(loads).max().orElse(0);
        long best = Long.MAX_VALUE;
        for (int s = 0; s < m; s++) {
            loads[s] += p[k];
            best = Math.min(best, brute(p, m, loads, k + 1));
            loads[s] -= p[k];
        }
        return best;
    }
}
