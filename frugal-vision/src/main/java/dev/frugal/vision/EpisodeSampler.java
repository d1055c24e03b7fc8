package dev.frugal.vision;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;

/**
 * Seeded N-way K-shot episodes over an {@link ImageSet}. Episode i draws from its own generator seeded with
 * {@link #episodeSeed(long, int)}, so any episode can be drawn alone (on a Spark executor too) and equals the one a
 * sequential run draws. Per episode: a random permutation of the classes gives the N classes; for each, a random
 * permutation of its images gives K support then Q query images, so a support image never reappears among the queries.
 */
public final class EpisodeSampler {
    private final ImageSet set;
    private final int ways;
    private final int shots;
    private final int queries;
    private final long seed;

    /**
     * @throws EpisodeException when the set has fewer than N classes or a class has fewer than K + Q images (named)
     */
    public EpisodeSampler(ImageSet set, int ways, int shots, int queries, long seed) {
        if (ways < 2 || shots < 1 || queries < 1) {
            throw new IllegalArgumentException("need ways ≥ 2, shots ≥ 1, queries ≥ 1; got " + ways + ", " + shots + ", " + queries);
        }
        if (set.classCount() < ways) {
            throw new EpisodeException("domain '" + set.name() + "' has " + set.classCount() + " classes, fewer than the "
                    + ways + " an episode needs; lower --ways or add class folders");
        }
        for (int c = 0; c < set.classCount(); c++) {
            if (set.count(c) < shots + queries) {
                throw new EpisodeException("class '" + set.classNames().get(c) + "' of domain '" + set.name() + "' has "
                        + set.count(c) + " images, fewer than the " + (shots + queries) + " (K " + shots + " + queries "
                        + queries + ") an episode needs; add images or lower --shots/--queries");
            }
        }
        this.set = set;
        this.ways = ways;
        this.shots = shots;
        this.queries = queries;
        this.seed = seed;
    }

    public ImageSet set() { return set; }

    /** Seed of episode {@code index}: SplitMix64 of the run seed and the index. */
    public static long episodeSeed(long seed, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + (index + 1L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /** Episode {@code index}. */
    public Episode episode(int index) {
        Rng rng = Rng.seeded("episode-" + index, episodeSeed(seed, index));
        try (Scope s = Scope.open()) {
            long[] classPerm = Tensors.randperm(set.classCount(), rng).toLongArray();
            int[] classes = new int[ways];
            int[][] support = new int[ways][shots];
            int[][] query = new int[ways][queries];
            for (int n = 0; n < ways; n++) {
                classes[n] = (int) classPerm[n];
                long[] perm = Tensors.randperm(set.count(classes[n]), rng).toLongArray();
                for (int k = 0; k < shots; k++) support[n][k] = (int) perm[k];
                for (int q = 0; q < queries; q++) query[n][q] = (int) perm[shots + q];
            }
            return new Episode(index, classes, support, query);
        }
    }
}
