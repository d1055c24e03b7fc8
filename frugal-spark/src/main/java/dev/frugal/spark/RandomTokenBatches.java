package dev.frugal.spark;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensors;
import dev.frugal.zo.LmBatch;

/**
 * Uniform random token batches, {@code (batchSize, seqLen)} int64 from a generator seeded with (seed, t): the
 * synthetic workload of the equivalence tests and {@code frugal bench dist-zo}.
 *
 * @param seed      data seed
 * @param vocab     token ids are drawn from [0, vocab)
 * @param batchSize global batch size B
 * @param seqLen    sequence length T
 */
public record RandomTokenBatches(long seed, long vocab, int batchSize, int seqLen) implements LmBatchSource {
    public RandomTokenBatches {
        if (vocab < 2 || batchSize < 1 || seqLen < 2)
            throw new IllegalArgumentException("random batches need vocab >= 2, batch >= 1, length >= 2; got "
                    + vocab + ", " + batchSize + ", " + seqLen);
    }

    @Override
    public LmBatch batch(long t) {
        try (Rng rng = Rng.seeded("dist-zo-data", seed * 1_000_003L + t)) {
            return LmBatch.of(Tensors.randint(0, vocab, rng, batchSize, seqLen), null);
        }
    }
}
