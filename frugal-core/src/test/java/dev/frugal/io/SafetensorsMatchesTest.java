package dev.frugal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SafetensorsFile#matches}: the in-place byte comparison (several chunks, a difference in the last one found)
 * and the converted comparison for another dtype or layout agree with the values; {@link SafetensorsFile#tensor}'s
 * chunked copy reads every chunk back.
 */
class SafetensorsMatchesTest {
    @Test
    void matchesComparesInPlaceAndConverted(@TempDir Path tmp) {
        try (Scope s = Scope.open()) {
            long rows = SafetensorsFile.COPY_CHUNK_BYTES / (4 * 1000) * 2 + 3; // a bit over two chunks
            Tensor w = Tensors.randn(Rng.seeded("matches", 1), rows, 1000);
            Tensor small = Tensors.randn(Rng.seeded("matches", 2), 3, 5);
            Map<String, Tensor> ts = new LinkedHashMap<>();
            ts.put("w", w);
            ts.put("small", small);
            Path f = tmp.resolve("m.safetensors");
            SafetensorsWriter.write(f, ts, Map.of());
            try (SafetensorsFile file = SafetensorsFile.open(f)) {
                assertEquals(0.0, Tensors.maxAbsDiff(file.tensor("w"), w), "chunked copy");
                assertTrue(file.matches("w", w), "in place");
                assertTrue(file.matches("w", w.to(DType.F64)), "converted");
                assertTrue(file.matches("small", small.t().contiguous().t()), "non-contiguous");
                assertFalse(file.matches("small", w), "another shape");
                Tensor changed = w.cloneTensor();
                changed.narrow(0, rows - 1, 1).narrow(1, 999, 1).fillInPlace(42.0); // the last element, in the last chunk
                assertFalse(file.matches("w", changed), "in place, last chunk");
                assertFalse(file.matches("w", changed.to(DType.F64)), "converted, last chunk");
            }
        }
    }
}
