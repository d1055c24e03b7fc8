package dev.frugal.dp;

import dev.frugal.InvalidSettingException;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;

/**
 * Which training examples each step sees. The RDP accountant assumes Poisson sampling: every example joins each
 * batch independently with probability q, so batch sizes vary and may be 0.
 */
public sealed interface BatchSampler {
    /** Indices of the next batch (possibly empty). */
    long[] next();

    /** The sampling rate q the accountant is told. */
    double sampleRate();

    /** The expected batch size {@code q·N}: the DP-SGD update divides the noisy sum by it (not by the drawn size). */
    double expectedBatchSize();

    /** Steps that make one epoch in expectation: {@code round(1/q)}. */
    long stepsPerEpoch();

    /** A warning to print when the accountant's assumption does not hold, or null. */
    default String warning() { return null; }

    /** Poisson sampling with rate {@code q} over {@code n} examples, drawing from {@code rng}. */
    static BatchSampler poisson(long n, double q, Rng rng) { return new Poisson(n, q, rng); }

    /** Shuffled fixed-size batches of {@code batch} over {@code n} examples (not what the accountant assumes). */
    static BatchSampler shuffled(long n, int batch, Rng rng) { return new Shuffled(n, batch, rng); }

    /** Poisson subsampling: example i is in the batch iff {@code u_i < q}, {@code u_i ~ U[0,1)} fresh each step. */
    final class Poisson implements BatchSampler {
        private final long n;
        private final double q;
        private final Rng rng;

        Poisson(long n, double q, Rng rng) {
            if (n < 1) throw new IllegalArgumentException("no training examples to sample from");
            if (!(q > 0 && q <= 1)) throw new InvalidSettingException("sampleRate", "(q) must be in (0, 1], got " + q);
            this.n = n;
            this.q = q;
            this.rng = rng;
        }

        @Override
        public long[] next() {
            try (Scope s = Scope.open()) {
                return Tensors.rand(rng, n).lt(q).nonzeroIndices().toLongArray();
            }
        }

        @Override
        public double sampleRate() { return q; }

        @Override
        public double expectedBatchSize() { return q * n; }

        @Override
        public long stepsPerEpoch() { return Math.max(1, Math.round(1 / q)); }
    }

    /** Fixed-size batches from a fresh permutation each epoch; accounted as if q = B/N. */
    final class Shuffled implements BatchSampler {
        private final long n;
        private final int batch;
        private final Rng rng;
        private long[] order = new long[0];
        private int pos;

        Shuffled(long n, int batch, Rng rng) {
            if (batch < 1 || batch > n) throw new InvalidSettingException("batch", "must be in [1, " + n + "] (the training examples), got " + batch);
            this.n = n;
            this.batch = batch;
            this.rng = rng;
        }

        @Override
        public long[] next() {
            if (pos + batch > order.length) {
                try (Scope s = Scope.open()) {
                    order = Tensors.randperm(n, rng).toLongArray();
                }
                pos = 0;
            }
            long[] b = java.util.Arrays.copyOfRange(order, pos, pos + batch);
            pos += batch;
            return b;
        }

        @Override
        public double sampleRate() { return (double) batch / n; }

        @Override
        public double expectedBatchSize() { return batch; }

        @Override
        public long stepsPerEpoch() { return n / batch; }

        @Override
        public String warning() {
            return "fixed-size shuffled batches: the RDP accountant assumes Poisson sampling, so the ε it reports for"
                    + " q = B/N is not a proven guarantee for this sampler (use Poisson sampling for one)";
        }
    }
}
