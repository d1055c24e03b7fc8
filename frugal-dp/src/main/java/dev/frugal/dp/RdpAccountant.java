package dev.frugal.dp;

import dev.frugal.InvalidSettingException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tracks the privacy spent by a sequence of Poisson-subsampled Gaussian steps with RDP composition: RDP values add
 * over steps at every order, and ε for a δ is the best conversion over the orders ({@link SampledGaussianRdp}).
 * The default orders are Opacus's {@code RDPAccountant.DEFAULT_ALPHAS}: 1.1, 1.2, …, 10.9 and 12, 13, …, 63.
 */
public final class RdpAccountant {
    /** One run of identical steps. */
    public record Phase(double noiseMultiplier, double sampleRate, long steps) {
        public Phase {
            if (!(noiseMultiplier >= 0)) throw new InvalidSettingException("sigma", "(the noise multiplier) must be ≥ 0, got " + noiseMultiplier);
            if (!(sampleRate >= 0 && sampleRate <= 1)) throw new IllegalArgumentException("sample rate must be in [0, 1]: " + sampleRate);
            if (steps < 0) throw new IllegalArgumentException("steps must be ≥ 0: " + steps);
        }
    }

    /** Opacus's default RDP orders. */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    private final List<Phase> history = new ArrayList<>();
    private final double[] orders;

    public RdpAccountant() { this(DEFAULT_ORDERS); }

    public RdpAccountant(double[] orders) {
        for (double a : orders) if (!(a > 1)) throw new IllegalArgumentException("RDP orders must be > 1, got " + a);
        this.orders = orders.clone();
    }

    private static double[] defaultOrders() {
        double[] a = new double[99 + 52];
        for (int x = 1; x < 100; x++) a[x - 1] = 1 + x / 10.0;
        for (int k = 12; k < 64; k++) a[99 + k - 12] = k;
        return a;
    }

    /** Records one step with noise multiplier σ and sampling rate q. */
    public void step(double noiseMultiplier, double sampleRate) {
        if (!history.isEmpty()) {
            Phase last = history.getLast();
            if (last.noiseMultiplier() == noiseMultiplier && last.sampleRate() == sampleRate) {
                history.set(history.size() - 1, new Phase(noiseMultiplier, sampleRate, last.steps() + 1));
                return;
            }
        }
        history.add(new Phase(noiseMultiplier, sampleRate, 1));
    }

    /** Records {@code steps} identical steps at once. */
    public void steps(double noiseMultiplier, double sampleRate, long steps) {
        history.add(new Phase(noiseMultiplier, sampleRate, steps));
    }

    public List<Phase> history() { return List.copyOf(history); }

    /** Total steps recorded. */
    public long stepCount() { return history.stream().mapToLong(Phase::steps).sum(); }

    /** ε spent so far for {@code delta} (0 before any step). */
    public double epsilon(double delta) { return privacySpent(delta)[0]; }

    /** {ε, optimal order} for {@code delta}. */
    public double[] privacySpent(double delta) {
        if (history.isEmpty()) return new double[] {0, Double.NaN};
        double[] rdp = new double[orders.length];
        for (Phase p : history)
            for (int k = 0; k < orders.length; k++)
                rdp[k] += SampledGaussianRdp.rdp(p.sampleRate(), p.noiseMultiplier(), orders[k]) * p.steps();
        return SampledGaussianRdp.epsilon(orders, rdp, delta);
    }

    /**
     * The noise multiplier σ that keeps {@code steps} steps at sampling rate {@code q} within {@code targetEpsilon}:
     * doubles σ from 20 until ε ≤ target, then bisects until the ε reached is within 0.01 below the target (Opacus's
     * {@code get_noise_multiplier}); the returned σ always satisfies ε(σ) ≤ target.
     *
     * @throws IllegalArgumentException when even σ = 10⁶ cannot meet the target
     */
    public static double noiseMultiplier(double targetEpsilon, double delta, double q, long steps) {
        if (!(targetEpsilon > 0)) throw new InvalidSettingException("targetEpsilon", "must be > 0, got " + targetEpsilon);
        double low = 0, high = 10, epsHigh = Double.POSITIVE_INFINITY;
        while (epsHigh > targetEpsilon) {
            high *= 2;
            epsHigh = epsilonOf(high, q, steps, delta);
            if (high > 1e6) throw new IllegalArgumentException("privacy budget ε=" + targetEpsilon + ", δ=" + delta
                    + " is too low for " + steps + " steps at q=" + q + ": train fewer steps or sample less");
        }
        while (targetEpsilon - epsHigh > 0.01) {
            double mid = (low + high) / 2, eps = epsilonOf(mid, q, steps, delta);
            if (eps < targetEpsilon) {
                high = mid;
                epsHigh = eps;
            } else low = mid;
        }
        return high;
    }

    private static double epsilonOf(double sigma, double q, long steps, double delta) {
        RdpAccountant a = new RdpAccountant();
        a.steps(sigma, q, steps);
        return a.epsilon(delta);
    }
}
