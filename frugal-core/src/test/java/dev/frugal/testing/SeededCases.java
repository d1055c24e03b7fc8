package dev.frugal.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeded random cases for property tests (JUnit 5 parameterized tests; frugal uses no property-testing library).
 * A test takes {@code long seed} from {@code @MethodSource} over {@link #seeds}, is named
 * {@code @ParameterizedTest(name = "seed {0}")} so that a failing case prints its seed, and draws everything it needs
 * from {@link #of(long)}, whose {@link Case#toString()} lists the values drawn (put it in assertion messages).
 * Rerun one case with {@code -Dfrugal.test.seed=SEED}.
 */
public final class SeededCases {
    /** Runs only this seed when set. */
    public static final String PROPERTY = "frugal.test.seed";

    private SeededCases() {}

    /**
     * {@code n} seeds of the property named {@code name}: a fixed sequence (the same cases on every run and machine),
     * or only {@code -Dfrugal.test.seed} when that is set.
     */
    public static LongStream seeds(String name, int n) {
        String one = System.getProperty(PROPERTY);
        if (one != null && !one.isBlank()) return LongStream.of(Long.parseLong(one.trim()));
        SplittableRandom r = new SplittableRandom(name.hashCode());
        return LongStream.generate(() -> r.nextLong() & Long.MAX_VALUE).limit(n);
    }

    /** The random source of the case with {@code seed}. */
    public static Case of(long seed) { return new Case(seed); }

    /** Draws of one case; records what was drawn so that a failure message can show it. */
    public static final class Case {
        private final long seed;
        private final SplittableRandom random;
        private final List<String> drawn = new ArrayList<>();

        private Case(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        public long seed() { return seed; }

        /** A uniform int in [min, max] (both inclusive). */
        public int intIn(String name, int min, int max) {
            int v = min + random.nextInt(max - min + 1);
            drawn.add(name + "=" + v);
            return v;
        }

        /** A uniform long in [min, max] (both inclusive). */
        public long longIn(String name, long min, long max) {
            long v = min + random.nextLong(max - min + 1);
            drawn.add(name + "=" + v);
            return v;
        }

        /** One of {@code values}, uniformly. */
        @SafeVarargs
        public final <E> E pick(String name, E... values) {
            E v = values[random.nextInt(values.length)];
            drawn.add(name + "=" + v);
            return v;
        }

        /** {@code n} random bytes (recorded by length only). */
        public byte[] bytes(String name, int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            drawn.add(name + "=" + n + " bytes");
            return b;
        }

        /** The underlying generator, for draws that need not be listed. */
        public SplittableRandom random() { return random; }

        @Override
        public String toString() { return "seed " + seed + " (-D" + PROPERTY + "=" + seed + ") " + drawn; }
    }
}
