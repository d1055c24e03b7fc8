package dev.frugal.train;

import dev.frugal.InvalidSettingException;
/**
 * SGD hyper-parameters, as PyTorch's {@code SGD}.
 *
 * @param lr          learning rate γ
 * @param momentum    μ ≥ 0 (0: plain SGD)
 * @param dampening   τ ∈ [0, 1]: the buffer takes {@code (1 − τ)·g} after the first step
 * @param weightDecay λ ≥ 0, coupled (L2): {@code g ← g + λθ}
 * @param nesterov    Nesterov momentum {@code g ← g + μ·b}; needs μ &gt; 0 and τ = 0
 */
public record SgdConfig(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {

    public SgdConfig {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new InvalidSettingException("lr", "must be a finite value >= 0 for SGD, got " + lr);
        }
        if (!(momentum >= 0) || !(dampening >= 0 && dampening <= 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("SGD needs momentum >= 0, dampening in [0, 1], weight decay >= 0; got "
                    + momentum + ", " + dampening + ", " + weightDecay);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires momentum > 0 and dampening = 0, got "
                    + "momentum " + momentum + ", dampening " + dampening);
        }
    }

    /** Plain SGD with learning rate {@code lr}. */
    public static SgdConfig plain(double lr) {
        return new SgdConfig(lr, 0, 0, 0, false);
    }

    /** SGD with (heavy-ball) momentum {@code mu}. */
    public static SgdConfig momentum(double lr, double mu) {
        return new SgdConfig(lr, mu, 0, 0, false);
    }

    /** A copy with Nesterov momentum on. */
    public SgdConfig withNesterov() {
        return new SgdConfig(lr, momentum, dampening, weightDecay, true);
    }

    /** A copy with weight decay {@code v}. */
    public SgdConfig withWeightDecay(double v) {
        return new SgdConfig(lr, momentum, dampening, v, nesterov);
    }
}
