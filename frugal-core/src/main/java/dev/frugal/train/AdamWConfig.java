package dev.frugal.train;

import dev.frugal.InvalidSettingException;
/**
 * AdamW hyper-parameters (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2), with
 * PyTorch's defaults in {@link #defaults()}.
 *
 * @param lr          learning rate γ
 * @param beta1       decay of the first moment β₁ ∈ [0, 1)
 * @param beta2       decay of the second moment β₂ ∈ [0, 1)
 * @param eps         ε added to the bias-corrected √v̂
 * @param weightDecay decoupled weight decay λ: {@code θ ← θ·(1 − γλ)} before the Adam update
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {

    public AdamWConfig {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new InvalidSettingException("lr", "must be a finite value >= 0 for AdamW, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must lie in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("AdamW eps must be >= 0, got " + eps);
        }
        if (!(weightDecay >= 0)) {
            throw new InvalidSettingException("weightDecay", "must be >= 0 for AdamW, got " + weightDecay);
        }
    }

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public static AdamWConfig defaults() {
        return new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 1e-2);
    }

    /** A copy with learning rate {@code v}. */
    public AdamWConfig withLr(double v) {
        return new AdamWConfig(v, beta1, beta2, eps, weightDecay);
    }

    /** A copy with weight decay {@code v}. */
    public AdamWConfig withWeightDecay(double v) {
        return new AdamWConfig(lr, beta1, beta2, eps, v);
    }

    /** A copy with betas {@code (b1, b2)}. */
    public AdamWConfig withBetas(double b1, double b2) {
        return new AdamWConfig(lr, b1, b2, eps, weightDecay);
    }
}
