package dev.frugal.rl;

import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * The GRPO objective on per-token log-probabilities, as TRL's {@code GRPOTrainer._compute_loss} (token-level
 * importance sampling). For completion i, token t, with advantage {@code Â_i}:
 *
 * <pre>
 *   ρ = exp(log π_θ − log π_old)                                              (ratio; 1 on the first iteration)
 *   ℓ = −min(ρ·Â, clip(ρ, 1 − ε_low, 1 + ε_high)·Â)                            (PPO clip, DeepSeekMath eq. 3)
 *   ℓ += β · (exp(log π_ref − log π_θ) − (log π_ref − log π_θ) − 1)           (k3 KL estimator, eq. 4)
 * </pre>
 *
 * then reduced by {@link LossType}. Tensors: {@code logp, oldLogp, refLogp, mask (B, T)} float32; {@code adv (B)}.
 */
public final class GrpoLoss {
    private GrpoLoss() {}

    /**
     * The loss and what TRL logs with it.
     *
     * @param loss      scalar tensor with autograd history through {@code logp}
     * @param clipRatio fraction of masked tokens where the clipped term was the one taken (its ratio left the range
     *                  in the direction the advantage pushes)
     * @param meanKl    masked token mean of the k3 KL (0 when β = 0)
     */
    public record Parts(Tensor loss, double clipRatio, double meanKl) {}

    /**
     * @param logp    (B, T) log π_θ of the sampled tokens (requires grad)
     * @param oldLogp (B, T) log π_old, detached (the same values as logp when μ = 1)
     * @param refLogp (B, T) log π_ref, or null when β = 0
     * @param adv     (B) advantages
     * @param mask    (B, T) 1 for completion tokens, 0 for padding
     */
    public static Parts compute(Tensor logp, Tensor oldLogp, Tensor refLogp, Tensor adv, Tensor mask, GrpoConfig cfg) {
        if (cfg.beta() > 0 && refLogp == null)
            throw new IllegalArgumentException("beta " + cfg.beta() + " > 0 needs the reference model's log-probabilities");
        long b = logp.size(0);
        Tensor a = adv.view(b, 1);                                             // (B, 1)
        Tensor ratio = logp.sub(oldLogp.detach()).exp();                       // (B, T)
        Tensor clipped = ratio.clamp(1 - cfg.epsilon(), 1 + cfg.epsilonHigh());
        Tensor t1 = ratio.mul(a), t2 = clipped.mul(a);
        Tensor perToken = Tensors.where(t1.sub(t2).lt(0.0), t1, t2).neg();              // −min(t1, t2)  (B, T)
        double clipRatio = t2.sub(t1).lt(0.0).to(dev.frugal.tensor.DType.F32).mul(mask).sum().itemDouble()
                / Math.max(1, mask.sum().itemDouble());
        double meanKl = 0;
        if (cfg.beta() > 0) {
            Tensor d = refLogp.detach().sub(logp);                             // log π_ref − log π_θ
            Tensor kl = d.exp().sub(d).sub(1.0);                               // k3 ≥ 0  (B, T)
            meanKl = kl.detach().mul(mask).sum().itemDouble() / Math.max(1, mask.sum().itemDouble());
            perToken = perToken.add(kl.mul(cfg.beta()));
        }
        Tensor masked = perToken.mul(mask);
        Tensor loss = switch (cfg.lossType()) {
            case GRPO -> masked.sum(1, false).div(mask.sum(1, false).clampMin(1.0)).mean();
            case DR_GRPO -> masked.sum().div((double) b * cfg.maxCompletionLength());
            case DAPO -> masked.sum().div(Math.max(1.0, mask.sum().itemDouble()));
        };
        return new Parts(loss, clipRatio, meanKl);
    }
}
