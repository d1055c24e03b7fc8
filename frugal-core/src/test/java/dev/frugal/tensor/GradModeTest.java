package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradModeTest {

    /** Regression: a guard opened inside a scope used to stay in force until that scope closed. */
    @Test
    void closeRestoresGradModeEvenInsideAnOpenScope() {
        try (Scope outer = Scope.open()) {
            try (GradMode off = GradMode.off()) {
                assertFalse(GradMode.enabled());
            }
            assertTrue(GradMode.enabled(), "grad mode must be back on right after close()");
            Tensor w = Tensors.ones(3).requiresGrad(true);
            w.mul(2).sum().backward();
            assertTrue(w.grad().defined());
        }
    }

    @Test
    void nestedGuardsRestoreTheOuterMode() {
        try (GradMode a = GradMode.off()) {
            try (GradMode b = GradMode.off()) {
                assertFalse(GradMode.enabled());
            }
            assertFalse(GradMode.enabled(), "the inner guard restores the outer guard's 'off'");
        }
        assertTrue(GradMode.enabled());
    }
}
