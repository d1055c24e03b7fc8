package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Rng} is a resource: closed by whoever created it, refusing to draw afterwards, closing twice harmless. */
class RngOwnershipTest {
    @Test
    void aClosedGeneratorRefusesToDraw() {
        Rng rng = Rng.seeded("t", 5);
        float[] first;
        try (Scope s = Scope.open()) {
            first = Tensors.randn(rng, 4).toFloatArray();
        }
        rng.close();
        rng.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (Scope s = Scope.open()) {
                Tensors.randn(rng, 4);
            }
        });
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, rng::state);
        // the same seed in a new generator gives the same stream: closing freed nothing another generator shares
        try (Rng again = Rng.seeded("t", 5); Scope s = Scope.open()) {
            assertArrayEquals(first, Tensors.randn(again, 4).toFloatArray());
        }
    }
}
