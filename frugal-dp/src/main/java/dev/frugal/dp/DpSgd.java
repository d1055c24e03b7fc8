package dev.frugal.dp;

import dev.frugal.InvalidSettingException;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.Optimizer;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * DP-SGD's update (Abadi et al. 2016, Algorithm 1): to each clipped sum add Gaussian noise {@code N(0, σ²C²)} on
 * every coordinate, where C is the sum's L2 sensitivity ({@code √(Σ C_l²)} for per-layer clipping), divide by the
 * expected batch size {@code q·N}, and hand the noisy gradient to {@code dev.frugal.train}'s optimizers as each
 * parameter's {@code .grad}: {@link Sgd} (with momentum) by default, or any {@link UpdateGroup}s — e.g. AdamW for an
 * encoder and a faster one for a classifier head (DP-Adam: the update is post-processing of the noisy gradient, so
 * it costs no privacy). Every step is recorded in the accountant.
 *
 * <p>Guarantees enforced here: no accountant, no step; σ = 0 is refused; clipped gradients are consumed by one step
 * and refused afterwards; every trainable parameter belongs to exactly one update group.
 */
public final class DpSgd implements AutoCloseable {
    /**
     * Plain DP-SGD settings.
     *
     * @param learningRate    SGD step size
     * @param momentum        heavy-ball momentum in [0, 1)
     * @param noiseMultiplier σ: noise std over the sensitivity
     */
    public record Settings(double learningRate, double momentum, double noiseMultiplier) {
        public Settings {
            if (!(learningRate > 0)) throw new InvalidSettingException("lr", "must be > 0, got " + learningRate);
            if (!(momentum >= 0 && momentum < 1)) throw new InvalidSettingException("momentum", "must be in [0, 1), got " + momentum);
            checkNoise(noiseMultiplier);
        }
    }

    /**
     * Parameters (by name) that one {@code dev.frugal.train} optimizer updates from the noisy gradient. The optimizer
     * must be built over exactly these tensors, in this order.
     */
    public record UpdateGroup(List<String> names, Optimizer optimizer) {
        public UpdateGroup {
            names = List.copyOf(names);
            Objects.requireNonNull(optimizer, "optimizer");
            if (names.isEmpty()) throw new IllegalArgumentException("an update group needs at least one parameter");
            if (optimizer.parameters().size() != names.size())
                throw new IllegalArgumentException("update group names " + names.size() + " parameters, its optimizer "
                        + optimizer.parameters().size() + ": build the optimizer over exactly the named tensors");
        }
    }

    private final LinkedHashMap<String, Tensor> params;
    private final double noiseMultiplier;
    private final double sampleRate;
    private final double expectedBatchSize;
    private final RdpAccountant accountant;
    private final Rng noise;
    private final List<UpdateGroup> groups;
    private final double[] baseLr;
    private long steps;

    /**
     * Plain DP-SGD: one {@link Sgd} (heavy-ball momentum, no dampening) over every parameter.
     *
     * @param params            the trainable tensors, updated in place (marked {@code requiresGrad}: their
     *                          {@code .grad} carries the noisy gradient to the optimizer)
     * @param sampleRate        q of the sampler (for the accountant)
     * @param expectedBatchSize q·N (the divisor of the noisy sum)
     * @param accountant        where every step is recorded
     * @param noise             the noise generator; {@link #secureNoise()} unless reproducing a test
     * @throws PrivacyGuaranteeException when {@code accountant} is null
     */
    public DpSgd(LinkedHashMap<String, Tensor> params, Settings settings, double sampleRate, double expectedBatchSize,
                 RdpAccountant accountant, Rng noise) {
        this(params, Objects.requireNonNull(settings, "settings").noiseMultiplier(), sampleRate, expectedBatchSize,
                accountant, noise, List.of(sgdGroup(params, settings)));
    }

    /**
     * DP-SGD whose update is done by {@code groups} (each parameter in exactly one).
     *
     * @param noiseMultiplier σ: noise std over the sensitivity
     * @throws PrivacyGuaranteeException when {@code accountant} is null or σ is not positive
     */
    public DpSgd(LinkedHashMap<String, Tensor> params, double noiseMultiplier, double sampleRate, double expectedBatchSize,
                 RdpAccountant accountant, Rng noise, List<UpdateGroup> groups) {
        if (accountant == null) throw new PrivacyGuaranteeException("a DP optimizer refuses to step without an"
                + " accountant: the privacy spent would go unrecorded. Pass an RdpAccountant");
        checkNoise(noiseMultiplier);
        if (!(expectedBatchSize > 0)) throw new IllegalArgumentException("expected batch size must be > 0, got " + expectedBatchSize);
        this.params = new LinkedHashMap<>(params);
        this.noiseMultiplier = noiseMultiplier;
        this.sampleRate = sampleRate;
        this.expectedBatchSize = expectedBatchSize;
        this.accountant = accountant;
        this.noise = Objects.requireNonNull(noise, "noise generator");
        this.groups = List.copyOf(groups);
        Set<String> seen = new HashSet<>();
        for (UpdateGroup g : this.groups) {
            for (int i = 0; i < g.names().size(); i++) {
                String n = g.names().get(i);
                if (!params.containsKey(n)) throw new IllegalArgumentException("update group names '" + n + "', which"
                        + " is not a trainable parameter " + params.keySet());
                if (!seen.add(n)) throw new IllegalArgumentException("parameter '" + n + "' is in two update groups");
                if (g.optimizer().parameters().get(i).dataAddress() != params.get(n).dataAddress())
                    throw new IllegalArgumentException("update group's optimizer tensor " + i + " is not parameter '" + n + "'");
            }
        }
        if (!seen.equals(params.keySet())) {
            List<String> missing = new ArrayList<>(params.keySet());
            missing.removeAll(seen);
            throw new IllegalArgumentException("parameters " + missing + " are in no update group: each trainable"
                    + " parameter needs an optimizer");
        }
        this.baseLr = this.groups.stream().mapToDouble(g -> g.optimizer().lr()).toArray();
    }

    private static void checkNoise(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma))
            throw new PrivacyGuaranteeException("noise multiplier σ must be positive and finite, got " + sigma
                    + ": without noise a DP-SGD step releases the clipped gradients in the clear");
    }

    private static UpdateGroup sgdGroup(LinkedHashMap<String, Tensor> params, Settings s) {
        List<Tensor> ts = new ArrayList<>(params.values());
        ts.forEach(t -> t.requiresGrad(true));
        return new UpdateGroup(List.copyOf(params.keySet()), new Sgd(ts, SgdConfig.momentum(s.learningRate(), s.momentum())));
    }

    /**
     * A noise generator seeded from {@link SecureRandom}. libtorch's CPU generator (mt19937) is not a
     * cryptographically secure generator; the secure seed makes the stream unpredictable to an observer who does not
     * see its outputs (see docs/dp.md).
     */
    public static Rng secureNoise() { return Rng.seeded("dp-noise", new SecureRandom().nextLong()); }

    public RdpAccountant accountant() { return accountant; }

    /** σ. */
    public double noiseMultiplier() { return noiseMultiplier; }

    public List<UpdateGroup> groups() { return groups; }

    public long steps() { return steps; }

    /**
     * Multiplies every group's initial learning rate by {@code scale} from the next step on (a schedule;
     * post-processing, no privacy cost).
     */
    public void setLearningRateScale(double scale) {
        if (!(scale >= 0)) throw new IllegalArgumentException("learning-rate scale must be ≥ 0, got " + scale);
        for (int i = 0; i < groups.size(); i++) groups.get(i).optimizer().setLr(baseLr[i] * scale);
    }

    /**
     * Adds noise to {@code g}, hands the noisy gradient to the optimizers, updates the parameters, and records the
     * step.
     *
     * @throws PrivacyGuaranteeException when {@code g} was already used by a step
     */
    public void step(ClippedGradients g) {
        if (accountant == null) throw new PrivacyGuaranteeException("no accountant: refusing to step");
        if (!g.sums().keySet().equals(params.keySet()))
            throw new IllegalArgumentException("clipped gradients cover " + g.sums().keySet() + ", the optimizer "
                    + params.keySet() + ": use the same trainable set for the engine and the optimizer");
        g.consume();
        double std = noiseMultiplier * g.sensitivity();
        try (GradMode off = GradMode.off()) {
            for (var e : params.entrySet()) {
                try (Scope s = Scope.open()) {
                    Tensor p = e.getValue(), sum = g.sum(e.getKey());
                    Tensor z = Tensors.randnChunked(noise, p.dtype(), p.shape()); // several threads for large tensors
                    if (!p.device().equals(Device.CPU)) z = z.to(p.device());
                    // (Σ clip(g_i) + N(0, σ²C²)) / (qN), in the consumed sum's own memory (no table-sized temporaries)
                    p.setGrad(sum.addInPlace(z, std).divInPlace(expectedBatchSize));
                }
            }
            for (UpdateGroup u : groups) {
                u.optimizer().step();
                u.optimizer().zeroGrad();
            }
        }
        accountant.step(noiseMultiplier, sampleRate);
        steps++;
        g.close();
    }

    /** Frees the optimizers' state. */
    @Override
    public void close() {
        for (UpdateGroup u : groups) u.optimizer().close();
    }
}
