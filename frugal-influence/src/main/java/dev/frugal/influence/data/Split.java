package dev.frugal.influence.data;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;

/**
 * A seeded train/test split: a random permutation (named generator {@code influence-split}) cut into the first
 * {@code trainSize} rows and the next {@code testSize} (0: all the rest).
 */
public record Split(Dataset train, Dataset test) {

    public static Split of(Dataset all, int trainSize, int testSize, long seed) {
        int n = all.size();
        if (trainSize < 2 || trainSize >= n || testSize < 0 || trainSize + testSize > n) {
            throw new dev.frugal.influence.InfluenceInputException(all.name() + " has " + n + " rows: cannot take "
                    + trainSize + " for training and " + (testSize == 0 ? "the rest" : testSize) + " for testing;"
                    + " lower --train-size/--test-size");
        }
        long[] perm;
        try (Scope s = Scope.open(); Rng rng = Rng.seeded("influence-split", seed)) {
            perm = Tensors.randperm(n, rng).toLongArray();
        }
        int te = testSize == 0 ? n - trainSize : testSize;
        int[] tr = new int[trainSize], ts = new int[te];
        for (int i = 0; i < trainSize; i++) tr[i] = (int) perm[i];
        for (int i = 0; i < te; i++) ts[i] = (int) perm[trainSize + i];
        return new Split(all.subset(tr), all.subset(ts));
    }
}
