package dev.frugal.depth;

/**
 * Training budget and optimiser settings.
 *
 * @param epochs          passes over all snippets (t−1, t, t+1) of the training sequences
 * @param smoothness      weight of the edge-aware smoothness term (Monodepth2: 1e-3), divided by 2^scale
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 */
public record TrainConfig(int epochs, int batchSize, double lr, double smoothness, long seed, int checkpointEvery) {

    public TrainConfig {
        if (epochs < 1) throw new dev.frugal.InvalidSettingException("epochs", "must be at least 1, got " + epochs);
        if (batchSize < 1) throw new dev.frugal.InvalidSettingException("batchSize", "must be at least 1, got " + batchSize);
        if (!(lr > 0)) throw new dev.frugal.InvalidSettingException("lr", "must be positive, got " + lr);
        if (!(smoothness >= 0)) throw new dev.frugal.InvalidSettingException("smoothness", "must be non-negative, got " + smoothness);
        if (checkpointEvery < 0) throw new dev.frugal.InvalidSettingException("checkpointEvery", "must be non-negative");
    }

    public static TrainConfig of(int epochs, int batchSize, long seed) { return new TrainConfig(epochs, batchSize, 5e-4, 1e-3, seed, 0); }
}
