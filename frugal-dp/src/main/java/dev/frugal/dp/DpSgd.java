package dev.frugal.dp;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * DP-SGD's update (Abadi et al. 2016, Algorithm 1): to each clipped sum add Gaussian noise {@code N(0, σ²C²)} on
 * every coordinate, where C is the sum's L2 sensitivity ({@code √(Σ C_l²)} for per-layer clipping), divide by the
 * expected batch size {@code q·N}, and take an SGD step with optional heavy-ball momentum. Every step is recorded in
 * the accountant. (A minimal SGD: {@code dev.frugal.train}'s optimizers can take the noisy gradient once they land.)
 *
 * <p>Guarantees enforced here: no accountant, no step; σ = 0 is refused; clipped gradients are consumed by one step
 * and refused afterwards.
 */
public final class DpSgd {
    /**
     * @param learningRate    SGD step size
     * @param momentum        heavy-ball momentum in [0, 1)
     * @param noiseMultiplier σ: noise std over the sensitivity
     */
    public record Settings(double learningRate, double momentum, double noiseMultiplier) {
        public Settings {
            if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
            if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier))
                throw new PrivacyGuaranteeException("noise multiplier σ must be positive and finite, got " + noiseMultiplier
                        + ": without noise a DP-SGD step releases the clipped gradients in the clear");
        }
    }

    private final LinkedHashMap<String, Tensor> params;
    private final Settings settings;
    private final double sampleRate;
    private final double expectedBatchSize;
    private final RdpAccountant accountant;
    private final Rng noise;
    private final Map<String, Tensor> velocity = new LinkedHashMap<>();
    private long steps;
    private double lrScale = 1;

    /**
     * @param params            the trainable tensors, updated in place
     * @param sampleRate        q of the sampler (for the accountant)
     * @param expectedBatchSize q·N (the divisor of the noisy sum)
     * @param accountant        where every step is recorded
     * @param noise             the noise generator; {@link #secureNoise()} unless reproducing a test
     * @throws PrivacyGuaranteeException when {@code accountant} is null
     */
    public DpSgd(LinkedHashMap<String, Tensor> params, Settings settings, double sampleRate, double expectedBatchSize,
                 RdpAccountant accountant, Rng noise) {
        if (accountant == null) throw new PrivacyGuaranteeException("a DP optimizer refuses to step without an"
                + " accountant: the privacy spent would go unrecorded. Pass an RdpAccountant");
        if (!(expectedBatchSize > 0)) throw new IllegalArgumentException("expected batch size must be > 0, got " + expectedBatchSize);
        this.params = new LinkedHashMap<>(params);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sampleRate = sampleRate;
        this.expectedBatchSize = expectedBatchSize;
        this.accountant = accountant;
        this.noise = Objects.requireNonNull(noise, "noise generator");
    }

    /**
     * A noise generator seeded from {@link SecureRandom}. libtorch's CPU generator (mt19937) is not a
     * cryptographically secure generator; the secure seed makes the stream unpredictable to an observer who does not
     * see its outputs (see docs/dp.md).
     */
    public static Rng secureNoise() { return Rng.seeded("dp-noise", new SecureRandom().nextLong()); }

    public RdpAccountant accountant() { return accountant; }

    public Settings settings() { return settings; }

    public long steps() { return steps; }

    /** Multiplies the learning rate by {@code scale} from the next step on (a schedule; post-processing, no privacy cost). */
    public void setLearningRateScale(double scale) {
        if (!(scale >= 0)) throw new IllegalArgumentException("learning-rate scale must be ≥ 0, got " + scale);
        this.lrScale = scale;
    }

    /**
     * Adds noise to {@code g}, updates the parameters, and records the step.
     *
     * @throws PrivacyGuaranteeException when {@code g} was already used by a step
     */
    public void step(ClippedGradients g) {
        if (accountant == null) throw new PrivacyGuaranteeException("no accountant: refusing to step");
        if (!g.sums().keySet().equals(params.keySet()))
            throw new IllegalArgumentException("clipped gradients cover " + g.sums().keySet() + ", the optimizer "
                    + params.keySet() + ": use the same trainable set for the engine and the optimizer");
        g.consume();
        double std = settings.noiseMultiplier() * g.sensitivity();
        try (GradMode off = GradMode.off()) {
            for (var e : params.entrySet()) {
                try (Scope s = Scope.open()) {
                    Tensor p = e.getValue(), sum = g.sum(e.getKey());
                    Tensor z = Tensors.randn(noise, p.dtype(), dev.frugal.tensor.Device.CPU, p.shape());
                    if (!p.device().equals(dev.frugal.tensor.Device.CPU)) z = z.to(p.device());
                    Tensor grad = sum.add(z, std).div(expectedBatchSize); // (Σ clip(g_i) + N(0, σ²C²)) / (qN)
                    if (settings.momentum() > 0) {
                        Tensor v = velocity.get(e.getKey());
                        if (v == null) velocity.put(e.getKey(), grad.cloneTensor().keep());
                        else v.mulInPlace(settings.momentum()).addInPlace(grad);
                        grad = velocity.get(e.getKey());
                    }
                    p.addInPlace(grad, -settings.learningRate() * lrScale);
                }
            }
        }
        accountant.step(settings.noiseMultiplier(), sampleRate);
        steps++;
        g.close();
    }
}
