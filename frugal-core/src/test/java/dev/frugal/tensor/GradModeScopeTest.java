package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A no-grad region opened inside a scope ends at its own close, not when the scope closes. */
class GradModeScopeTest {
    @Test
    void gradModeEndsAtCloseInsideAScope() {
        try (Scope s = Scope.open()) {
            try (GradMode off = GradMode.off()) {
                assertFalse(GradMode.enabled());
            }
            assertTrue(GradMode.enabled(), "grad mode still off after GradMode.close() inside an open scope");
        }
        assertTrue(GradMode.enabled());
    }
}
