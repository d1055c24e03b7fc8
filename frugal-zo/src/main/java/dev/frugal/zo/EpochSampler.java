package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;

/**
 * Which examples step t trains on: sample i of the run (i = t·B + j) is example {@code perm_e[i mod N]} of epoch
 * e = i / N, where {@code perm_e} is a permutation seeded from (seed, e). The batch of a step therefore depends on
 * (seed, t) only — what resuming and distributed replay need.
 */
public final class EpochSampler {
    private final int n;
    private final int batch;
    private final long seed;
    private long cachedEpoch = -1;
    private long[] cachedPerm;

    public EpochSampler(int n, int batch, long seed) {
        if (n < 1) throw new IllegalArgumentException("no training examples");
        if (batch < 1) throw new InvalidSettingException("batch", "must be >= 1, got " + batch);
        this.n = n;
        this.batch = batch;
        this.seed = seed;
    }

    /** The example indices of step {@code t}. */
    public synchronized int[] indices(long t) {
        int[] out = new int[batch];
        for (int j = 0; j < batch; j++) {
            long i = t * batch + j, epoch = i / n;
            if (epoch != cachedEpoch) {
                try (Rng order = Rng.seeded("data-order", seed * 1_000_003L + epoch); Scope s = Scope.open()) {
                    cachedPerm = Tensors.randperm(n, order).toLongArray();
                }
                cachedEpoch = epoch;
            }
            out[j] = (int) cachedPerm[(int) (i % n)];
        }
        return out;
    }
}
