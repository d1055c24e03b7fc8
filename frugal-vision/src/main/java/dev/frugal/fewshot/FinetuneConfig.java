package dev.frugal.fewshot;

/**
 * BSCD-FSL's fine-tuning protocol (Guo et al. 2020): a linear head on average-pooled features trained on the support
 * set for 100 epochs in batches of 4 with SGD (lr 0.01, momentum 0.9, weight decay 1e-3).
 *
 * @param epochs           passes over the support set
 * @param batchSize        support images per step
 * @param lr               SGD learning rate (head and, when fine-tuned, backbone)
 * @param tuneBackbone     also fine-tune the backbone (BN in training mode); otherwise it is frozen
 */
public record FinetuneConfig(int epochs, int batchSize, double lr, boolean tuneBackbone) implements java.io.Serializable {

    public FinetuneConfig {
        if (epochs < 1 || batchSize < 1) throw new IllegalArgumentException("epochs and batchSize must be ≥ 1");
        if (!(lr > 0)) throw new dev.frugal.InvalidSettingException("lr", "must be > 0, got " + lr);
    }

    /** BSCD-FSL: 100 epochs, batch 4, lr 0.01, frozen backbone. */
    public static FinetuneConfig defaults() { return new FinetuneConfig(100, 4, 0.01, false); }

    public FinetuneConfig withTuneBackbone(boolean on) { return new FinetuneConfig(epochs, batchSize, lr, on); }
}
