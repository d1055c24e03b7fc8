package dev.frugal.influence.sam;

/**
 * Sharpness-aware minimisation (Foret et al. 2021) settings.
 *
 * <p>Each micro-batch k of m examples gets its own perturbation ("m-sharpness", Foret et al. §4.1):
 * <pre>
 *   g_k = ∇_θ L_k(θ)                                   (gradient of the micro-batch's loss)
 *   ε_k = ρ · T² g_k / ‖T g_k‖                          (T = I for SAM; T = diag(|θ| + η) for adaptive SAM, Kwon et al. 2021)
 *   G(θ) = (1/N) Σ_j ∇ℓ_j(θ + ε_{k(j)}) + λθ             (the update direction; λθ is the coupled L2 term)
 * </pre>
 * With m = 1 every example is perturbed along its own gradient. That is the default here: it is the m-sharpness
 * setting that generalises best, and it makes full-batch SAM's fixed point G(θ*) = 0 well defined, which the
 * Hessian-based influence needs (with one perturbation for the whole batch, ε = ρ∇L/‖∇L‖ flips as ∇L → 0 and
 * full-batch SAM bounces around the minimum instead of converging).
 *
 * @param rho         neighbourhood radius ρ ≥ 0 (0: plain gradient descent)
 * @param adaptive    adaptive SAM (ASAM): scale the perturbation by |θ| + η
 * @param adaptiveEta η &gt; 0 of ASAM
 * @param microBatch  m ≥ 1 examples per perturbation; 0 means one perturbation for the whole batch (classic SAM)
 */
public record SamConfig(double rho, boolean adaptive, double adaptiveEta, int microBatch) {

    public SamConfig {
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new dev.frugal.InvalidSettingException("rho", "(SAM radius) must be a finite value >= 0, got " + rho);
        }
        if (!(adaptiveEta > 0)) {
            throw new dev.frugal.InvalidSettingException("adaptiveEta", "(adaptive SAM η) must be > 0, got " + adaptiveEta);
        }
        if (microBatch < 0) {
            throw new dev.frugal.InvalidSettingException("microBatch", "must be >= 0 (0: whole batch), got " + microBatch);
        }
    }

    /** SAM with radius ρ, one perturbation per example. */
    public static SamConfig sam(double rho) { return new SamConfig(rho, false, 0.01, 1); }

    /** No perturbation: plain (full-batch or stochastic) gradient descent. */
    public static SamConfig none() { return new SamConfig(0, false, 0.01, 1); }

    /** A copy with adaptive SAM on or off. */
    public SamConfig withAdaptive(boolean on) { return new SamConfig(rho, on, adaptiveEta, microBatch); }

    /** A copy with micro-batches of m examples (0: whole batch). */
    public SamConfig withMicroBatch(int m) { return new SamConfig(rho, adaptive, adaptiveEta, m); }

    /** Micro-batches in a batch of {@code n}. */
    public int microBatches(int n) {
        int m = microBatch == 0 ? n : microBatch;
        return (n + m - 1) / m;
    }
}
