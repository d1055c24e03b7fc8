package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recycled working sets: one allocation per set, views in parameter order, reused when the shapes fit. */
class WorkingSetsTest {
    private static LinkedHashMap<String, long[]> shapes() {
        LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
        s.put("q.weight", new long[] {24, 16});
        s.put("q.bias", new long[] {24});
        s.put("fc1.weight", new long[] {64, 16});
        s.put("ln.weight", new long[] {16});
        return s;
    }

    @Test
    void aFreshSetIsOneAllocationCutIntoContiguousViews() {
        try (WorkingSets sets = new WorkingSets()) {
            LinkedHashMap<String, Tensor> w = sets.take(shapes());
            assertEquals(List.copyOf(shapes().keySet()), List.copyOf(w.keySet()));
            long expected = w.get("q.weight").dataAddress();
            for (Map.Entry<String, long[]> e : shapes().entrySet()) {
                Tensor t = w.get(e.getKey());
                assertArrayEquals(e.getValue(), t.shape(), e.getKey());
                assertTrue(t.isContiguous(), e.getKey());
                assertEquals(expected, t.dataAddress(), e.getKey() + " follows the previous tensor in the same allocation");
                expected += t.numel() * 4L;
            }
            // the views do not overlap: writing one leaves the others as they were
            try (Scope s = Scope.open()) {
                w.values().forEach(t -> t.fillInPlace(0.0));
                w.get("q.bias").fillInPlace(3.0);
                assertEquals(0.0, w.get("q.weight").sum().itemDouble());
                assertEquals(0.0, w.get("fc1.weight").sum().itemDouble());
                assertEquals(0.0, w.get("ln.weight").sum().itemDouble());
                assertEquals(72.0, w.get("q.bias").sum().itemDouble());
            }
            sets.recycle(w);
            LinkedHashMap<String, Tensor> again = sets.take(shapes());
            for (String n : shapes().keySet()) assertSame(w.get(n), again.get(n), n + " reused");
            sets.recycle(again);
            LinkedHashMap<String, long[]> other = new LinkedHashMap<>(shapes());
            other.put("ln.weight", new long[] {32});
            LinkedHashMap<String, Tensor> fresh = sets.take(other); // shapes differ: the old set freed, a new one
            assertArrayEquals(new long[] {32}, fresh.get("ln.weight").shape());
            assertEquals(4, fresh.size());
            assertEquals(fresh.get("q.weight").dataAddress() + (24 * 16 + 24 + 64 * 16) * 4L, fresh.get("ln.weight").dataAddress());
            sets.recycle(fresh);
        }
    }
}
