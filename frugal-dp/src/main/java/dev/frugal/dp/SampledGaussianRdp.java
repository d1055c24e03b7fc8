package dev.frugal.dp;

import dev.frugal.InvalidSettingException;
/**
 * Rényi-DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy
 * of the Sampled Gaussian Mechanism", arXiv 1908.10530, §3.3), and its conversion to (ε, δ)-DP (Balle et al. 2020,
 * arXiv 1905.09982, Theorem 21). The computation follows TF-Privacy's {@code rdp_accountant.py} as Opacus's
 * {@code accountants/analysis/rdp.py} carries it: {@code log A_α} summed in log space, exactly for integer orders and by
 * the two-sided series with {@code erfc} tails for fractional orders.
 */
public final class SampledGaussianRdp {
    private SampledGaussianRdp() {}

    /**
     * RDP of one step at order {@code alpha > 1}: {@code log(A_α)/(α−1)}; 0 when q = 0, {@code α/(2σ²)} when q = 1,
     * +∞ when σ = 0.
     *
     * @param q     sampling rate in [0, 1]
     * @param sigma noise multiplier (noise std / L2 sensitivity)
     */
    public static double rdp(double q, double sigma, double alpha) {
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("sampling rate must be in [0, 1], got " + q);
        if (!(sigma >= 0)) throw new IllegalArgumentException("noise multiplier must be ≥ 0, got " + sigma);
        if (!(alpha > 1)) throw new IllegalArgumentException("RDP order must be > 1, got " + alpha);
        if (q == 0) return 0;
        if (sigma == 0) return Double.POSITIVE_INFINITY;
        if (q == 1.0) return alpha / (2 * sigma * sigma);
        if (Double.isInfinite(alpha)) return Double.POSITIVE_INFINITY;
        double logA = alpha == Math.rint(alpha) ? logAInteger(q, sigma, (int) alpha) : logAFractional(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** {@code log A_α} for integer α: {@code log Σ_i C(α,i) q^i (1−q)^(α−i) exp((i²−i)/(2σ²))}. */
    static double logAInteger(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY, logBinom = 0; // log C(alpha, 0)
        for (int i = 0; i <= alpha; i++) {
            if (i > 0) logBinom += Math.log((double) (alpha - i + 1) / i);
            double s = logBinom + i * Math.log(q) + (alpha - i) * Math.log(1 - q) + (i * (double) i - i) / (2 * sigma * sigma);
            logA = logAdd(logA, s);
        }
        return logA;
    }

    /** {@code log A_α} for fractional α: the integrals over (−∞, z0] and [z0, ∞) as series, summed until negligible. */
    static double logAFractional(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY, logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double coef = 1; // C(alpha, 0), generalised binomial
        for (int i = 0; ; i++) {
            if (i > 0) coef *= (alpha - i + 1) / i;
            double logCoef = Math.log(Math.abs(coef));
            double j = alpha - i;
            double logT0 = logCoef + i * Math.log(q) + j * Math.log(1 - q);
            double logT1 = logCoef + j * Math.log(q) + i * Math.log(1 - q);
            double logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.sqrt(2) * sigma));
            double logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double) i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (coef > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) break;
            if (i > 100_000) throw new ArithmeticException("RDP series did not converge for q=" + q + ", σ=" + sigma
                    + ", α=" + alpha);
        }
        return logAdd(logA0, logA1);
    }

    /**
     * The (ε, δ) guarantee of accumulated RDP values: {@code ε = min_α rdp_α − (log δ + log α)/(α−1) + log((α−1)/α)}.
     *
     * @return {ε, the optimal order}; {+∞, NaN} when no order gives a finite ε
     */
    public static double[] epsilon(double[] orders, double[] rdp, double delta) {
        if (orders.length != rdp.length) throw new IllegalArgumentException(orders.length + " orders but " + rdp.length
                + " RDP values");
        if (!(delta > 0 && delta < 1)) throw new InvalidSettingException("delta", "(δ) must be in (0, 1), got " + delta);
        double best = Double.POSITIVE_INFINITY, bestOrder = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double eps = rdp[k] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            if (!Double.isNaN(eps) && eps < best) {
                best = eps;
                bestOrder = a;
            }
        }
        return new double[] {best, bestOrder};
    }

    static double logAdd(double logx, double logy) {
        double a = Math.min(logx, logy), b = Math.max(logx, logy);
        if (a == Double.NEGATIVE_INFINITY) return b;
        return Math.log1p(Math.exp(a - b)) + b;
    }

    static double logSub(double logx, double logy) {
        if (logx < logy) throw new ArithmeticException("log-space subtraction would be negative");
        if (logy == Double.NEGATIVE_INFINITY) return logx;
        if (logx == logy) return Double.NEGATIVE_INFINITY;
        double d = Math.expm1(logx - logy);
        return Double.isInfinite(d) ? logx : Math.log(d) + logy;
    }

    /**
     * {@code log erfc(x)}, accurate in the far tail: for x ≥ 1.5 by the continued fraction
     * {@code erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …))))} evaluated with Lentz's method and kept in log
     * space; below by the non-alternating series {@code erf(x) = 2/√π e^{−x²} Σ 2^n x^{2n+1}/(2n+1)!!}; negative x
     * through {@code erfc(x) = 2 − erfc(−x)}.
     */
    static double logErfc(double x) {
        if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)));
        if (x < 1.5) return Math.log1p(-erf(x));
        double tiny = 1e-300, f = x, c = x, d = 0;
        for (int n = 1; n < 10_000; n++) {
            double a = n / 2.0;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return -x * x - 0.5 * Math.log(Math.PI) - Math.log(f);
    }

    /** erf(x) for 0 ≤ x < 1.5 by a series of positive terms. */
    static double erf(double x) {
        double term = x, sum = x, x2 = 2 * x * x;
        for (int n = 1; n < 200 && term > 1e-18 * sum; n++) {
            term *= x2 / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
    }
}
