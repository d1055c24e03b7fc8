package dev.frugal.fewshot;

/**
 * IDP's fast alignment (arXiv 2511.14279, Sec. 3.3; authors' {@code AlignFinetuning.align}).
 *
 * @param steps         alignment steps per episode (authors: 50)
 * @param lr            Adam learning rate on the BN affine parameters (authors: Adam's default 1e-3)
 * @param pseudoQueries augmented pseudo-queries per class made from the support images (authors: 75 / N = 15)
 * @param codebook      use the codebook proxies as the second view (ablation "codebook off": the second view is
 *                      the target feature itself)
 * @param bnAlign       BN layers in training mode with the annealed momentum 0.1 / (1 + e^step), and batch statistics
 *                      at inference, as the authors' code (ablation "BN alignment off": source running statistics
 *                      throughout, only γ, β train)
 * @param kl            add KL(p_proxy ‖ p_target) (ablation "KL off")
 * @param logitScale    scale of the min–max-scaled reconstruction scores fed to softmax
 * @param batchStatsAtInference classify the episode with BN batch statistics (support and query batches normalised
 *                      separately), as the authors' code leaves the model in training mode; default false: the running
 *                      statistics, which the alignment moved toward the target with the annealed momentum (measured
 *                      here: batch statistics cost 16 points on MNIST, docs/fewshot.md)
 */
public record IdpConfig(int steps, double lr, int pseudoQueries, boolean codebook, boolean bnAlign, boolean kl, double logitScale,
        boolean batchStatsAtInference) implements java.io.Serializable {

    public IdpConfig {
        if (steps < 0) throw new dev.frugal.InvalidSettingException("steps", "must be ≥ 0, got " + steps);
        if (!(lr > 0)) throw new dev.frugal.InvalidSettingException("lr", "must be > 0, got " + lr);
        if (pseudoQueries < 1) throw new dev.frugal.InvalidSettingException("pseudoQueries", "must be ≥ 1, got " + pseudoQueries);
        if (!(logitScale > 0)) throw new dev.frugal.InvalidSettingException("logitScale", "must be > 0, got " + logitScale);
    }

    /** The authors' defaults (50 steps, Adam 1e-3, 15 pseudo-queries per class), everything on, scale 10. */
    public static IdpConfig defaults() { return new IdpConfig(50, 1e-3, 15, true, true, true, 10, false); }

    public IdpConfig withSteps(int s) { return new IdpConfig(s, lr, pseudoQueries, codebook, bnAlign, kl, logitScale, batchStatsAtInference); }

    public IdpConfig withPseudoQueries(int q) { return new IdpConfig(steps, lr, q, codebook, bnAlign, kl, logitScale, batchStatsAtInference); }

    public IdpConfig withCodebook(boolean on) { return new IdpConfig(steps, lr, pseudoQueries, on, bnAlign, kl, logitScale, batchStatsAtInference); }

    public IdpConfig withBnAlign(boolean on) { return new IdpConfig(steps, lr, pseudoQueries, codebook, on, kl, logitScale, batchStatsAtInference); }

    public IdpConfig withKl(boolean on) { return new IdpConfig(steps, lr, pseudoQueries, codebook, bnAlign, on, logitScale, batchStatsAtInference); }

    public IdpConfig withBatchStatsAtInference(boolean on) {
        return new IdpConfig(steps, lr, pseudoQueries, codebook, bnAlign, kl, logitScale, on);
    }
}
