package dev.frugal.fewshot;

import dev.frugal.vision.ResNetConfig;

/**
 * Source pretraining (supervised cross-entropy with a linear head, as BSCD-FSL's baseline backbone) and codebook.
 *
 * @param backbone         architecture
 * @param steps            SGD steps
 * @param batchSize        images per step
 * @param lr               peak learning rate (cosine decay to 0); SGD, Nesterov momentum 0.9, weight decay 5e-4
 * @param codebookImages   source images per class whose local features are clustered
 * @param codebookPerClass k-means centroids per source class (the authors' n = 20)
 * @param seed             seed of initialisation, batch order and augmentation
 */
public record PretrainConfig(ResNetConfig backbone, int steps, int batchSize, double lr, int codebookImages,
        int codebookPerClass, long seed) {

    public PretrainConfig {
        if (backbone == null) throw new dev.frugal.InvalidSettingException("backbone", "is null");
        if (steps < 1) throw new dev.frugal.InvalidSettingException("steps", "must be ≥ 1, got " + steps);
        if (batchSize < 2) throw new dev.frugal.InvalidSettingException("batchSize", "must be ≥ 2 (BatchNorm), got " + batchSize);
        if (!(lr > 0)) throw new dev.frugal.InvalidSettingException("lr", "must be > 0, got " + lr);
        if (codebookImages < 1 || codebookPerClass < 1) throw new IllegalArgumentException("codebook sizes must be ≥ 1");
    }

    /** The defaults: ResNet-10 (16, 32, 64, 64) on 28×28, 600 steps of 64 images, lr 0.05, 20 centroids per class. */
    public static PretrainConfig defaults() { return new PretrainConfig(ResNetConfig.small(), 600, 64, 0.05, 100, 20, 1L); }
}
