package dev.frugal.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DpSgd hands the noisy gradient to dev.frugal.train's optimizers, group by group. */
class DpSgdUpdateTest {

    private static LinkedHashMap<String, Tensor> params() {
        LinkedHashMap<String, Tensor> p = new LinkedHashMap<>();
        p.put("w", Tensors.zeros(50, 40).requiresGrad(true).keep());
        p.put("b", Tensors.zeros(40).requiresGrad(true).keep());
        return p;
    }

    /** AdamW's first step moves every coordinate by lr·g/(|g| + ε') ≈ ±lr, whatever the noise scale. */
    @Test
    void adamWAppliesTheNoisyGradient() {
        try (Scope s = Scope.open()) {
            var p = params();
            DpEngine e = new DpEngine(p, ClippingConfig.perLayer(1.0));
            double lr = 1e-3, sgdLr = 0.5, sigma = 2.0, expected = 20;
            var adam = new DpSgd.UpdateGroup(List.of("w"), new AdamW(List.of(p.get("w")), new AdamWConfig(lr, 0.9, 0.999, 1e-12, 0)));
            var sgd = new DpSgd.UpdateGroup(List.of("b"), new Sgd(List.of(p.get("b")), SgdConfig.plain(sgdLr)));
            try (DpSgd opt = new DpSgd(p, sigma, 0.1, expected, new RdpAccountant(), Rng.seeded("z", 3), List.of(adam, sgd))) {
                opt.step(e.emptyBatch());
                assertEquals(0, p.get("w").abs().sub(lr).abs().max().itemDouble(), 1e-5 * lr);
                double std = Math.sqrt(p.get("b").square().mean().itemDouble()), want = sgdLr * sigma * 1.0 / expected;
                assertEquals(want, std, 0.25 * want); // 40 draws
                assertFalse(p.get("w").grad().defined(), "the noisy gradient is dropped after the step");
                assertEquals(1, opt.accountant().stepCount());
                opt.setLearningRateScale(0.5);
                assertEquals(lr * 0.5, adam.optimizer().lr(), 1e-15);
                assertEquals(sgdLr * 0.5, sgd.optimizer().lr(), 1e-15);
            }
        }
    }

    @Test
    void refusesParametersWithoutAnOptimizerAndSigmaZero() {
        try (Scope s = Scope.open()) {
            var p = params();
            var onlyW = List.of(new DpSgd.UpdateGroup(List.of("w"), new Sgd(List.of(p.get("w")), SgdConfig.plain(0.1))));
            var ex = assertThrows(IllegalArgumentException.class,
                    () -> new DpSgd(p, 1.0, 0.1, 10, new RdpAccountant(), Rng.seeded("z", 1), onlyW));
            assertTrue(ex.getMessage().contains("[b]"), ex.getMessage());
            assertThrows(PrivacyGuaranteeException.class,
                    () -> new DpSgd(p, 0.0, 0.1, 10, new RdpAccountant(), Rng.seeded("z", 1), onlyW));
            assertThrows(PrivacyGuaranteeException.class,
                    () -> new DpSgd(p, 1.0, 0.1, 10, null, Rng.seeded("z", 1), onlyW));
        }
    }
}
