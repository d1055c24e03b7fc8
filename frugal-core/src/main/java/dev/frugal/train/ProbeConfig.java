package dev.frugal.train;

import dev.frugal.InvalidSettingException;
import java.util.Objects;

/**
 * How {@link LinearProbe} trains its logistic-regression head.
 *
 * @param epochs    passes over the training features
 * @param batchSize examples per optimizer step (the training set size or more: full batch)
 * @param optimizer AdamW hyper-parameters
 * @param seed      seeds the weight initialisation and the per-epoch shuffling
 */
public record ProbeConfig(int epochs, int batchSize, AdamWConfig optimizer, long seed) {

    public ProbeConfig {
        if (epochs < 1) {
            throw new InvalidSettingException("epochs", "must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new InvalidSettingException("batch", "must be >= 1, got " + batchSize);
        }
        Objects.requireNonNull(optimizer, "optimizer");
    }

    /** 100 epochs of minibatches of 32, AdamW lr 1e-2, weight decay 1e-4, seed 42. */
    public static ProbeConfig defaults() {
        return new ProbeConfig(100, 32, AdamWConfig.defaults().withLr(1e-2).withWeightDecay(1e-4), 42);
    }

    /** A copy with {@code n} epochs. */
    public ProbeConfig withEpochs(int n) {
        return new ProbeConfig(n, batchSize, optimizer, seed);
    }

    /** A copy with seed {@code s}. */
    public ProbeConfig withSeed(long s) {
        return new ProbeConfig(epochs, batchSize, optimizer, s);
    }

    /** A copy with batch size {@code b}. */
    public ProbeConfig withBatchSize(int b) {
        return new ProbeConfig(epochs, b, optimizer, seed);
    }

    /** A copy with AdamW learning rate {@code lr}. */
    public ProbeConfig withLr(double lr) {
        return new ProbeConfig(epochs, batchSize, optimizer.withLr(lr), seed);
    }
}
