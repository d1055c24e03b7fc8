package dev.frugal.interp;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/**
 * What ACDC measures after each patched forward: larger means further from the model's clean behaviour, and an
 * edge stays when removing it raises the metric by at least τ.
 */
public sealed interface Metric extends AutoCloseable permits Metric.KlToClean, Metric.TaskLoss {

    /** Logits {@code (K·B, T, V)} of K configurations → one value per configuration. */
    default double[] evaluate(Tensor logits, int configs) {
        return evaluateAtPositions(logits.indexSelect(1, positions()), configs);
    }

    /** As {@link #evaluate}, from the logits at {@link #positions()} only: {@code (K·B, P, V)}. */
    default double[] evaluateAtPositions(Tensor logits, int configs) {
        try (Accumulator a = accumulator(configs)) {
            a.add(0, logits);
            return a.finish();
        }
    }

    /** The positions {@code (P)} int64 the metric reads. */
    Tensor positions();

    /** A short name for reports. */
    String name();

    @Override
    void close();

    /**
     * The metric of {@code configs} configurations from their logits at {@link #positions()}, delivered whole or in
     * chunks of the vocabulary (an LM head read a chunk of rows at a time): {@link Accumulator#add} every chunk once,
     * in any order, then {@link Accumulator#finish}.
     */
    Accumulator accumulator(int configs);

    /**
     * A metric's running state over vocabulary chunks: each row's log-sum-exp (all that log-softmax needs of the other
     * chunks) and the metric's part that is linear in the logits. Each chunk is reduced in float32, the per-row results
     * are combined in float64.
     */
    abstract class Accumulator implements AutoCloseable {
        /** The most logits one log-sum-exp call reads (its temporary is that size). */
        static final long SLICE_ELEMENTS = 1L << 20;
        private Tensor lse; // (K·B, P) float64

        /** Adds the logits {@code (K·B, P, n)} of vocabulary entries {@code start .. start+n-1}. */
        public final void add(long start, Tensor logits) {
            try (Scope s = Scope.open()) {
                // a few rows at a time: logsumexp's temporary (z − max) is the size of its input
                long rows = logits.size(0), per = Math.max(1, SLICE_ELEMENTS / Math.max(1, logits.size(1) * logits.size(2)));
                List<Tensor> parts = new java.util.ArrayList<>();
                for (long r = 0; r < rows; r += per) parts.add(logits.narrow(0, r, Math.min(per, rows - r)).logsumexp(2, false));
                Tensor l = Tensors.cat(parts, 0).to(DType.F64);
                Tensor next = lse == null ? l : Tensors.stack(List.of(lse, l), 2).logsumexp(2, false);
                addLinear(start, logits);
                if (lse != null) lse.close();
                lse = next.keep();
            }
        }

        /** Adds the part of the metric that is linear in the logits, from {@code z (K·B, P, n)}. */
        abstract void addLinear(long start, Tensor z);

        /** One value per configuration from the log-sum-exp {@code (K·B, P)} float64 of the whole vocabulary. */
        abstract double[] finish(Tensor lse);

        public final double[] finish() {
            if (lse == null) throw new IllegalStateException("no logits were added");
            try (Scope s = Scope.open()) {
                return finish(lse);
            }
        }

        @Override
        public void close() {
            if (lse != null) lse.close();
            lse = null;
        }
    }

    /**
     * ACDC's default: {@code KL(p_clean ‖ p_patched)} of the next-token distributions, summed over the vocabulary and
     * averaged over the batch and the chosen positions.
     *
     * @param cleanLogProbs {@code (B, P, V)} at the chosen positions
     * @param positions     {@code (P)} int64
     * @param negEntropy    {@code Σ_v q_v log q_v} per row {@code (B, P)}, float64 ({@code q} the clean distribution)
     * @param probSum       {@code Σ_v q_v} per row {@code (B, P)}, float64
     */
    record KlToClean(Tensor cleanLogProbs, Tensor positions, Tensor negEntropy, Tensor probSum) implements Metric {
        public KlToClean {
            if (cleanLogProbs.dim() != 3 || positions.dim() != 1 || cleanLogProbs.size(1) != positions.size(0))
                throw new IllegalArgumentException("clean log-probs must be (B, P, V) for P positions");
            cleanLogProbs.keep();
            positions.keep();
            negEntropy.keep();
            probSum.keep();
        }

        /**
         * From clean log-probs {@code (B, P, V)} at {@code positions}: the terms that depend on the clean run alone are
         * computed here, once, not after every patched forward.
         */
        public static KlToClean of(Tensor cleanLogProbs, Tensor positions) {
            try (Scope s = Scope.open()) {
                Tensor q = cleanLogProbs.exp();
                return new KlToClean(cleanLogProbs, positions, q.mul(cleanLogProbs).sum(2, false).to(DType.F64),
                        q.sum(2, false).to(DType.F64));
            }
        }

        /** From clean logits {@code (B, T, V)} at {@code positions}. */
        public static KlToClean of(Tensor cleanLogits, long[] positions) {
            Tensor pos = Tensors.fromLongs(positions, positions.length).to(cleanLogits.device());
            return of(NN.logSoftmax(cleanLogits.indexSelect(1, pos), -1), pos);
        }

        /**
         * {@code KL = Σ_v q_v log q_v − Σ_v q_v z_v + (Σ_v q_v) logsumexp(z)} per row, with {@code q} the clean
         * distribution: the middle sum accumulates over the chunks.
         */
        @Override
        public Accumulator accumulator(int k) {
            long b = cleanLogProbs.size(0), p = cleanLogProbs.size(1);
            return new Accumulator() {
                private final Tensor dot = Tensors.zeros(DType.F64, cleanLogProbs.device(), k, b, p).keep();

                @Override
                void addLinear(long start, Tensor z) {
                    long n = z.size(2);
                    Tensor q = cleanLogProbs.narrow(2, start, n).exp(); // (B, P, n)
                    // a few configurations at a time: the product's temporary is the size of its input. (A batched
                    // matrix-vector product avoids the temporary but sums less accurately: 1.6e-4 off at V = 262,147.)
                    long per = Math.max(1, SLICE_ELEMENTS / Math.max(1, b * p * n));
                    Tensor zk = z.view(k, b, p, n);
                    for (long k0 = 0; k0 < k; k0 += per) {
                        long kc = Math.min(per, k - k0);
                        dot.narrow(0, k0, kc).addInPlace(zk.narrow(0, k0, kc).mul(q).sum(3, false).to(DType.F64));
                    }
                }

                @Override
                double[] finish(Tensor lse) {
                    // Σ_v q_v log-sum-exp, not log-sum-exp alone: float32 q sums to 1 only within ~1e-5, and that times
                    // log V (~11) was 1.6e-4 of error at V = 262,147
                    Tensor kl = lse.view(k, b, p).mul(probSum).sub(dot).add(negEntropy);
                    return kl.view(k, b * p).mean(1, false).toDoubleArray();
                }

                @Override
                public void close() {
                    super.close();
                    dot.close();
                }
            };
        }

        @Override
        public String name() { return "kl"; }

        @Override
        public void close() {
            cleanLogProbs.close();
            positions.close();
            negEntropy.close();
            probSum.close();
        }
    }

    /**
     * A task metric: the mean cross-entropy of the correct next tokens at the chosen positions (rises as the circuit
     * breaks).
     *
     * @param targets   {@code (B, P)} int64
     * @param positions {@code (P)} int64
     */
    record TaskLoss(Tensor targets, Tensor positions) implements Metric {
        public TaskLoss {
            if (targets.dim() != 2 || positions.dim() != 1 || targets.size(1) != positions.size(0))
                throw new IllegalArgumentException("targets must be (B, P) for P positions");
            targets.keep();
            positions.keep();
        }

        public static TaskLoss of(Tensor targets, long[] positions) {
            return new TaskLoss(targets, Tensors.fromLongs(positions, positions.length).to(targets.device()));
        }

        /** {@code −log p(target) = logsumexp(z) − z_target} per row: the target's logit is taken from its chunk. */
        @Override
        public Accumulator accumulator(int k) {
            long b = targets.size(0), p = targets.size(1);
            return new Accumulator() {
                private final Tensor target = Tensors.zeros(DType.F64, targets.device(), k * b, p).keep();
                private final Tensor tg = PatchedForward.repeat(targets.unsqueeze(2), k).squeeze(2).keep(); // (K·B, P)

                @Override
                void addLinear(long start, Tensor z) {
                    Tensor local = tg.sub(start);
                    Tensor inChunk = local.gt(-1).logicalAnd(local.lt(z.size(2)));
                    Tensor picked = z.gather(2, local.clamp(0, z.size(2) - 1).to(DType.I64).unsqueeze(2)).squeeze(2);
                    target.addInPlace(Tensors.where(inChunk, picked, Tensors.zerosLike(picked)).to(DType.F64));
                }

                @Override
                double[] finish(Tensor lse) {
                    return lse.sub(target).view(k, b * p).mean(1, false).toDoubleArray();
                }

                @Override
                public void close() {
                    super.close();
                    target.close();
                    tg.close();
                }
            };
        }

        @Override
        public String name() { return "loss"; }

        @Override
        public void close() {
            targets.close();
            positions.close();
        }
    }
}
