package dev.frugal.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Published values from Opacus; each expected number names its source. */
class RdpAccountantTest {

    /** pytorch/opacus {@code opacus/tests/accountants_test.py::test_rdp_accountant}: σ=1.5, q=0.04, 2250 steps. */
    @Test
    void opacusRdpAccountantValue() {
        RdpAccountant a = new RdpAccountant();
        for (int i = 0; i < (int) (90 / 0.04); i++) a.step(1.5, 0.04);
        double eps = a.epsilon(1e-5);
        System.out.println("ε(σ=1.5, q=0.04, 2250 steps, δ=1e-5) = " + eps);
        assertEquals(7.32911117143, eps, 1e-7);
    }

    /** pytorch/opacus {@code opacus/tests/accountants_test.py::test_get_noise_multiplier_rdp_epochs}. */
    @Test
    void opacusNoiseMultiplierForEpochs() {
        double sigma = RdpAccountant.noiseMultiplier(8, 1e-5, 0.04, (long) (90 / 0.04));
        System.out.println("σ(ε=8, δ=1e-5, q=0.04, 90 epochs) = " + sigma);
        assertEquals(1.416, sigma, 5e-5);
    }

    /** pytorch/opacus {@code opacus/tests/accountants_test.py::test_get_noise_multiplier_rdp_steps}. */
    @Test
    void opacusNoiseMultiplierForSteps() {
        double sigma = RdpAccountant.noiseMultiplier(8, 1e-5, 0.04, 2000);
        assertEquals(1.3562, sigma, 5e-5);
    }

    /**
     * The module docstring of pytorch/opacus {@code opacus/accountants/analysis/rdp.py} (after TF-Privacy's
     * {@code rdp_accountant.py}): phases (q=1e-5, σ=1, 10 steps) and (q=1e-4, σ=3, 4 steps), integer orders 2..32,
     * δ=1e-5 → (ε, order) = (0.336, 23).
     */
    @Test
    void opacusDocstringExampleIntegerOrders() {
        double[] orders = new double[31];
        for (int k = 0; k < 31; k++) orders[k] = 2 + k;
        RdpAccountant a = new RdpAccountant(orders);
        a.steps(1.0, 1e-5, 10);
        a.steps(3.0, 1e-4, 4);
        double[] spent = a.privacySpent(1e-5);
        assertEquals(0.336, spent[0], 5e-4);
        assertEquals(23, spent[1]);
    }

    /** Fractional and integer orders agree where they meet: the series for α=3.0000001 ≈ the exact sum at α=3. */
    @Test
    void fractionalSeriesMeetsIntegerSum() {
        for (double q : new double[] {0.001, 0.01, 0.1}) {
            for (double sigma : new double[] {0.7, 1.0, 2.5}) {
                double exact = SampledGaussianRdp.rdp(q, sigma, 3), frac = SampledGaussianRdp.rdp(q, sigma, 3 + 1e-7);
                assertEquals(exact, frac, 1e-5 * Math.abs(exact) + 1e-12, "q=" + q + " σ=" + sigma);
            }
        }
    }

    /** Edge cases: q=1 is the plain Gaussian α/(2σ²); q=0 spends nothing; ε grows with steps. */
    @Test
    void edgeCases() {
        assertEquals(4 / (2 * 1.5 * 1.5), SampledGaussianRdp.rdp(1, 1.5, 4), 1e-12);
        assertEquals(0, SampledGaussianRdp.rdp(0, 1.5, 4));
        RdpAccountant a = new RdpAccountant();
        a.steps(1.0, 0.01, 100);
        double e1 = a.epsilon(1e-5);
        a.steps(1.0, 0.01, 100);
        assertTrue(a.epsilon(1e-5) > e1);
        assertEquals(Math.log(0.033894853524689273), SampledGaussianRdp.logErfc(1.5), 1e-12);
        assertEquals(Math.log(1.5374597944280349e-12), SampledGaussianRdp.logErfc(5), 1e-10);
        assertEquals(Math.log(0.15729920705028513), SampledGaussianRdp.logErfc(1), 1e-13);
        assertEquals(Math.log(2 - 0.15729920705028513), SampledGaussianRdp.logErfc(-1), 1e-13);
    }
}
