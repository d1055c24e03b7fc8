package dev.frugal.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * A seeded, stratified train/dev/test split. Each class is shuffled on its own with a Fisher–Yates shuffle driven by
 * {@link java.util.Random} (whose algorithm the Java specification fixes, so the split is the same on every JVM), then
 * cut into {@code round(n·devFraction)} dev, {@code round(n·testFraction)} test and the rest train examples. The
 * three parts are concatenated in class order and shuffled once more with the same generator.
 *
 * @param devFraction  share of each class that goes to dev, in [0, 1)
 * @param testFraction share of each class that goes to test, in [0, 1)
 * @param seed         generator seed
 */
public record StratifiedSplit(double devFraction, double testFraction, long seed) {

    /** frugal's documented SpamAssassin split: 80 % train, 10 % dev, 10 % test, seed 20260527. */
    public static final StratifiedSplit SPAM_DEFAULT = new StratifiedSplit(0.1, 0.1, 20260527L);

    public StratifiedSplit {
        if (!(devFraction >= 0 && testFraction >= 0 && devFraction + testFraction < 1)) {
            throw new IllegalArgumentException("dev and test fractions must be ≥ 0 and sum to < 1, got "
                    + devFraction + " and " + testFraction);
        }
    }

    /** Splits {@code examples}, stratified by {@code label}. The input order matters and must be deterministic. */
    public <T> Split<T> apply(List<T> examples, ToIntFunction<T> label) {
        TreeMap<Integer, List<T>> byClass = new TreeMap<>();
        for (T e : examples) {
            byClass.computeIfAbsent(label.applyAsInt(e), k -> new ArrayList<>()).add(e);
        }
        Random rng = new Random(seed);
        List<T> train = new ArrayList<>();
        List<T> dev = new ArrayList<>();
        List<T> test = new ArrayList<>();
        for (List<T> cls : byClass.values()) {
            shuffle(cls, rng);
            int n = cls.size();
            int nDev = (int) Math.round(n * devFraction);
            int nTest = (int) Math.round(n * testFraction);
            dev.addAll(cls.subList(0, nDev));
            test.addAll(cls.subList(nDev, nDev + nTest));
            train.addAll(cls.subList(nDev + nTest, n));
        }
        shuffle(train, rng);
        shuffle(dev, rng);
        shuffle(test, rng);
        return new Split<>(train, dev, test);
    }

    /** Fisher–Yates with {@link Random#nextInt(int)}, independent of {@code Collections.shuffle}'s implementation. */
    static <T> void shuffle(List<T> list, Random rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }
}
