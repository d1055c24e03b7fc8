package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
/**
 * ZO-SGD settings (MeZO, Malladi et al. 2023, Algorithm 1).
 *
 * @param eps         perturbation scale ε (> 0)
 * @param lr          learning rate (≥ 0)
 * @param weightDecay decoupled weight decay as MeZO applies it: θ ← θ − lr·(g·z + wd·θ), never on biases or norms
 * @param seed        run seed; the seed of step t is derived from it ({@link #stepSeed(long)})
 * @param tuned       the parameters perturbed and updated ({@link TunedParameters#ALL}: every one, MeZO's default)
 * @param rng         where z comes from: MeZO's stream (bit-compatible with the reference) or the parallel
 *                    counter-based one ({@link ZoRng})
 * @param samples     n of MeZO's n-SPSA (Malladi et al. 2023, Appendix): the projected gradient is averaged over n
 *                    independent perturbations per step, on the same batch, θ ← θ − lr·(1/n)·Σₖ gₖ·zₖ; applied as n
 *                    successive updates θ ← θ − (lr/n)·(gₖ·zₖ [+ wd·θ]), k = 0..n−1, z_k from
 *                    {@link #perturbationSeed(long, int)}. 1 (the default) is MeZO's Algorithm 1, bit for bit; n &gt; 1
 *                    needs the tuned parameters to lie after the blocks (e.g. {@link TunedParameters.Head}), where the
 *                    frozen trunk's forward is shared by all 2n perturbed losses
 */
public record ZoHyperparameters(double eps, double lr, double weightDecay, long seed, TunedParameters tuned, ZoRng rng,
                                int samples) {
    /** One perturbation per step (MeZO's Algorithm 1). */
    public ZoHyperparameters(double eps, double lr, double weightDecay, long seed, TunedParameters tuned, ZoRng rng) {
        this(eps, lr, weightDecay, seed, tuned, rng, 1);
    }

    /** Every parameter tuned, MeZO's z stream ({@link ZoRng#MEZO}). */
    public ZoHyperparameters(double eps, double lr, double weightDecay, long seed) {
        this(eps, lr, weightDecay, seed, TunedParameters.ALL, ZoRng.MEZO);
    }

    /** Every parameter tuned, z from {@code rng}. */
    public ZoHyperparameters(double eps, double lr, double weightDecay, long seed, ZoRng rng) {
        this(eps, lr, weightDecay, seed, TunedParameters.ALL, rng);
    }

    /** {@code tuned} parameters, MeZO's z stream. */
    public ZoHyperparameters(double eps, double lr, double weightDecay, long seed, TunedParameters tuned) {
        this(eps, lr, weightDecay, seed, tuned, ZoRng.MEZO);
    }

    public ZoHyperparameters {
        if (tuned == null) throw new InvalidSettingException("tuned", "must be given (TunedParameters.ALL for every parameter)");
        if (rng == null) throw new InvalidSettingException("rng", "is required: mezo or parallel");
        if (!(eps > 0) || !Double.isFinite(eps)) throw new InvalidSettingException("eps", "must be > 0 and finite, got " + eps);
        if (!(lr >= 0) || !Double.isFinite(lr)) throw new InvalidSettingException("lr", "must be >= 0 and finite, got " + lr);
        if (!(weightDecay >= 0)) throw new InvalidSettingException("weightDecay", "must be >= 0, got " + weightDecay);
        if (samples < 1) throw new InvalidSettingException("samples", "must be >= 1 (perturbations per step), got " + samples);
    }

    /** These settings with z from {@code stream}. */
    public ZoHyperparameters withRng(ZoRng stream) { return new ZoHyperparameters(eps, lr, weightDecay, seed, tuned, stream, samples); }

    /** The same settings tuning {@code subset}. */
    public ZoHyperparameters withTuned(TunedParameters subset) {
        return new ZoHyperparameters(eps, lr, weightDecay, seed, subset, rng, samples);
    }

    /** The same settings with {@code n} perturbations per step (n-SPSA). */
    public ZoHyperparameters withSamples(int n) { return new ZoHyperparameters(eps, lr, weightDecay, seed, tuned, rng, n); }

    /**
     * The seed of perturbation k of a step whose seed is {@code stepSeed} (n-SPSA): k = 0 is the step seed itself (so
     * n = 1 is the one-perturbation run bit for bit); k ≥ 1 is a SplitMix64 mix of the step seed and k, the same mix
     * as {@link #stepSeed(long)} with the step seed in the place of the run seed.
     */
    public static long perturbationSeed(long stepSeed, int k) {
        if (k < 0) throw new IllegalArgumentException("perturbation index must be >= 0, got " + k);
        if (k == 0) return stepSeed;
        long z = stepSeed + 0x9E3779B97F4A7C15L * (k + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    /**
     * The perturbation seed of step {@code t}: a SplitMix64 mix of the run seed and the step, so that every worker
     * and every resumed run derives the same z from (run seed, step) alone.
     */
    public long stepSeed(long t) {
        long z = seed + 0x9E3779B97F4A7C15L * (t + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE; // libtorch seeds are taken as unsigned 64-bit; keep them positive
    }

    /** Whether MeZO's weight decay applies to {@code name}: not to biases, LayerNorms or RMSNorms. */
    public static boolean decays(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return !(n.contains("bias") || n.contains("norm") || n.matches(".*(^|\\.)ln_(\\d+|f)\\..*"));
    }
}
