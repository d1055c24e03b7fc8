package dev.frugal.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Values of transformers' get_{constant,linear,cosine}_schedule(_with_warmup), worked out by hand. */
class LrScheduleTest {

    @Test
    void constant() {
        LrSchedule s = new LrSchedule.Constant(3e-4);
        assertEquals(3e-4, s.lr(0));
        assertEquals(3e-4, s.lr(1_000_000));
    }

    @Test
    void warmupThenLinearDecay() {
        LrSchedule s = new LrSchedule.Warmup(1.0, 10, 110, LrSchedule.Decay.LINEAR);
        assertEquals(0.0, s.lr(0), "the first step of a warmup uses lr 0, as in transformers");
        assertEquals(0.5, s.lr(5), 1e-15);
        assertEquals(1.0, s.lr(10), 1e-15);
        assertEquals(0.5, s.lr(60), 1e-15);
        assertEquals(0.01, s.lr(109), 1e-15);
        assertEquals(0.0, s.lr(110));
        assertEquals(0.0, s.lr(500), "clamped at 0 past the end");
    }

    @Test
    void warmupThenCosineDecay() {
        LrSchedule s = new LrSchedule.Warmup(2.0, 4, 104, LrSchedule.Decay.COSINE);
        assertEquals(1.0, s.lr(2), 1e-15);
        assertEquals(2.0, s.lr(4), 1e-15);
        assertEquals(1.0, s.lr(54), 1e-12, "half-way: cos(π/2) = 0 → peak/2");
        assertEquals(2.0 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.lr(29), 1e-12);
        assertEquals(0.0, s.lr(104), 1e-15);
    }

    @Test
    void noWarmupStartsAtPeak() {
        assertEquals(1.0, new LrSchedule.Warmup(1.0, 0, 10, LrSchedule.Decay.LINEAR).lr(0));
        assertEquals(1.0, new LrSchedule.Warmup(1.0, 0, 10, LrSchedule.Decay.COSINE).lr(0));
    }

    @Test
    void applySetsTheOptimizersRateFromItsStepCount() {
        try (dev.frugal.tensor.Scope sc = dev.frugal.tensor.Scope.open()) {
            var p = dev.frugal.tensor.Tensors.ones(2).requiresGrad(true);
            try (Sgd opt = new Sgd(java.util.List.of(p), SgdConfig.plain(123))) {
                LrSchedule s = new LrSchedule.Warmup(1.0, 4, 8, LrSchedule.Decay.LINEAR);
                assertEquals(0.0, s.apply(opt));
                assertEquals(0.0, opt.lr());
                p.mul(1).sum().backward();
                opt.step();
                assertEquals(0.25, s.apply(opt), 1e-15);
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule.Warmup(1.0, 11, 10, LrSchedule.Decay.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule.Warmup(-1.0, 0, 10, LrSchedule.Decay.COSINE));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule.Constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule.Constant(1).lr(-1));
    }
}
