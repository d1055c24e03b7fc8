package dev.frugal.interp;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

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
    double[] evaluateAtPositions(Tensor logits, int configs);

    /** The positions {@code (P)} int64 the metric reads. */
    Tensor positions();

    /** A short name for reports. */
    String name();

    @Override
    void close();

    /**
     * ACDC's default: {@code KL(p_clean ‖ p_patched)} of the next-token distributions, summed over the vocabulary and
     * averaged over the batch and the chosen positions.
     *
     * @param cleanLogProbs {@code (B, P, V)} at the chosen positions
     * @param positions     {@code (P)} int64
     */
    record KlToClean(Tensor cleanLogProbs, Tensor positions) implements Metric {
        public KlToClean {
            if (cleanLogProbs.dim() != 3 || positions.dim() != 1 || cleanLogProbs.size(1) != positions.size(0))
                throw new IllegalArgumentException("clean log-probs must be (B, P, V) for P positions");
            cleanLogProbs.keep();
            positions.keep();
        }

        /** From clean logits {@code (B, T, V)} at {@code positions}. */
        public static KlToClean of(Tensor cleanLogits, long[] positions) {
            Tensor pos = Tensors.fromLongs(positions, positions.length).to(cleanLogits.device());
            return new KlToClean(NN.logSoftmax(cleanLogits.indexSelect(1, pos), -1), pos);
        }

        @Override
        public double[] evaluateAtPositions(Tensor logits, int k) {
            long b = cleanLogProbs.size(0), p = cleanLogProbs.size(1), v = cleanLogProbs.size(2);
            Tensor lp = NN.logSoftmax(logits, -1).view(k, b, p, v); // (K, B, P, V)
            Tensor kl = cleanLogProbs.exp().mul(cleanLogProbs.sub(lp)).sum(3, false); // (K, B, P)
            return kl.view(k, b * p).mean(1, false).toDoubleArray();
        }

        @Override
        public String name() { return "kl"; }

        @Override
        public void close() {
            cleanLogProbs.close();
            positions.close();
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

        @Override
        public double[] evaluateAtPositions(Tensor logits, int k) {
            long b = targets.size(0), p = targets.size(1);
            Tensor lp = NN.logSoftmax(logits, -1); // (K·B, P, V)
            Tensor tg = PatchedForward.repeat(targets.unsqueeze(2), k); // (K·B, P, 1)
            Tensor nll = lp.gather(2, tg).neg().view(k, b * p); // (K, B·P)
            return nll.mean(1, false).toDoubleArray();
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
