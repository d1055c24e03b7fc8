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
 * chunked copy reads every chunk back, and its chunked conversion to another dtype equals the whole conversion.
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
            // a bf16 table over two chunks, read in float32 chunk by chunk: the same as converting the whole
            Path h = tmp.resolve("h.safetensors");
            long hr = SafetensorsFile.COPY_CHUNK_BYTES / (2 * 1000) * 2 + 5;
            Tensor hb = Tensors.randn(Rng.seeded("matches", 3), hr, 1000).to(DType.BF16);
            SafetensorsWriter.write(h, Map.of("h", hb), Map.of());
            try (SafetensorsFile file = SafetensorsFile.open(h)) {
                Tensor got = file.tensor("h", DType.F32);
                assertEquals(DType.F32, got.dtype());
                assertTrue(java.util.Arrays.equals(got.shape(), hb.shape()));
                assertTrue(got.eq(hb.to(DType.F32)).logicalNot().sum().itemDouble() == 0, "bf16 read in float32");
            }
            try (SafetensorsFile file = SafetensorsFile.open(f)) {
                assertEquals(0.0, Tensors.maxAbsDiff(file.tensor("w"), w), "chunked copy");
                // converted a chunk of rows at a time (a bit over two chunks): every element as the whole conversion
                Tensor f64 = file.tensor("w", DType.F64);
                assertEquals(DType.F64, f64.dtype());
                assertTrue(f64.eq(w.to(DType.F64)).logicalNot().sum().itemDouble() == 0, "chunked conversion");
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
