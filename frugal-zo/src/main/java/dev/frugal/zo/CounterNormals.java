package dev.frugal.zo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A counter-based N(0, 1) stream: element j of the stream of key k is a pure function {@code normal(k, j)}, so any
 * range can be drawn by any thread, in any order, with the same result.
 *
 * <p>Bits: element j's 64 random bits are SplitMix64's output at position j + 1 of the sequence started at the key
 * (Steele, Lea, Flood 2014): {@code s = k + (j + 1)·γ} with γ = 0x9E3779B97F4A7C15, then the finaliser
 * {@code mix64(s)} (a bijection of 64-bit words), so within one key no two elements share their bits. The key of a
 * step is {@code mix64} of its step seed (itself a SplitMix64 mix of run seed and step).
 *
 * <p>Normals: Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000) with 256 layers, as {@code rand_distr}
 * implements it (R = 3.6541528853610088, layer area V = 0.00492867323399): layer i = the low 8 bits, a uniform
 * u ∈ [−1, 1) from the top 52 bits, x = u·X[i], accepted when |x| < X[i+1] (≈ 98.8 % of elements: one 64-bit word
 * each); otherwise the wedge test or the tail (Marsaglia's exponential method beyond R) draws further words
 * {@code mix64(w + γ)} from the element's own previous word, so rejections stay a function of (k, j). The ziggurat is
 * exact (not an approximation of the normal): x is computed in double and rounded once to float.
 */
final class CounterNormals {
    private CounterNormals() {}

    static final long GAMMA = 0x9E3779B97F4A7C15L;
    static final double R = 3.6541528853610088;
    static final double V = 0.00492867323399;
    /** Layer edges X[0..256] (X[0] = V / f(R) > R, X[1] = R, X[256] = 0) and f(X[i]) = exp(−X[i]²/2). */
    private static final double[] X = new double[257];
    private static final double[] F = new double[257];

    static {
        X[0] = V / pdf(R);
        X[1] = R;
        for (int i = 2; i < 256; i++) X[i] = Math.sqrt(-2 * Math.log(V / X[i - 1] + pdf(X[i - 1])));
        X[256] = 0;
        for (int i = 0; i <= 256; i++) F[i] = pdf(X[i]);
    }

    private static double pdf(double x) { return Math.exp(-x * x / 2); }

    /** SplitMix64's finaliser (a bijection of 64-bit words). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The stream key of step seed {@code stepSeed}. */
    static long key(long stepSeed) { return mix64(stepSeed ^ 0x5A0C0FFEE0DDF00DL); }

    /** Element {@code j} of stream {@code key}: the reference, one element at a time. */
    static float normal(long key, long j) { return (float) ziggurat(mix64(key + (j + 1) * GAMMA)); }

    /** A standard normal from the 64-bit word {@code w} (further words, when needed, derived from it). */
    static double ziggurat(long w) {
        for (;;) {
            int i = (int) w & 0xFF;
            double u = Double.longBitsToDouble((w >>> 12) | 0x4000000000000000L) - 3.0; // [2, 4) − 3 = [−1, 1)
            double x = u * X[i];
            if (Math.abs(x) < X[i + 1]) return x;
            if (i == 0) return tail(w, u < 0);
            w = mix64(w + GAMMA);
            if (F[i + 1] + (F[i] - F[i + 1]) * ((w >>> 11) * 0x1p-53) < pdf(x)) return x;
            w = mix64(w + GAMMA);
        }
    }

    /** Beyond R: Marsaglia (1964), x = −ln(a)/R, y = −ln(b), accepted when 2y > x². */
    private static double tail(long w, boolean negative) {
        double x, y;
        do {
            w = mix64(w + GAMMA);
            double a = ((w >>> 11) + 1) * 0x1p-53; // (0, 1]
            w = mix64(w + GAMMA);
            double b = ((w >>> 11) + 1) * 0x1p-53;
            x = Math.log(a) / R;
            y = Math.log(b);
        } while (-2 * y < x * x);
        return negative ? x - R : R - x;
    }

    /** Fills {@code n} floats of {@code dst} from byte 0 with elements {@code first .. first+n−1} of stream {@code key}. */
    static void fill(MemorySegment dst, long key, long first, long n) {
        long s = key + (first + 1) * GAMMA;
        for (long j = 0; j < n; j++, s += GAMMA)
            dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, (float) ziggurat(mix64(s)));
    }
}
