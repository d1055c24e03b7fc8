package dev.frugal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SafetensorsWriter#writeStreaming}: the same bytes as the whole-map writer, whatever order the tensors come in. */
class SafetensorsStreamingTest {
    @TempDir
    Path tmp;

    private static Map<String, Tensor> tensors(Rng rng) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a.weight", Tensors.randn(rng, 7, 3));
        m.put("a.bias", Tensors.randn(rng, 3).to(DType.BF16));
        m.put("empty", Tensors.zeros(DType.F32, dev.frugal.tensor.Device.CPU, 0, 4));
        m.put("ids", Tensors.randint(0, 100, rng, 5));
        m.put("b.weight", Tensors.randn(rng, 2, 11).to(DType.F16));
        return m;
    }

    private static List<SafetensorsWriter.Entry> layout(Map<String, Tensor> m) {
        List<SafetensorsWriter.Entry> l = new ArrayList<>();
        m.forEach((n, t) -> l.add(SafetensorsWriter.Entry.of(n, t)));
        return l;
    }

    @Test
    void sameBytesAsTheWholeMapWriterInAnyOrder() throws Exception {
        try (Scope s = Scope.open(); Rng rng = Rng.seeded("stream-write", 1)) {
            Map<String, Tensor> m = tensors(rng);
            Path whole = tmp.resolve("whole.safetensors"), streamed = tmp.resolve("streamed.safetensors");
            SafetensorsWriter.write(whole, m, Map.of("format", "pt"));
            List<String> reversed = new ArrayList<>(m.keySet()).reversed();
            SafetensorsWriter.writeStreaming(streamed, layout(m), Map.of("format", "pt"),
                    sink -> reversed.forEach(n -> sink.put(n, m.get(n))));
            assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(streamed));
            try (SafetensorsFile f = SafetensorsFile.open(streamed)) {
                assertArrayEquals(m.get("a.weight").toFloatArray(), f.tensor("a.weight", DType.F32).toFloatArray());
            }
        }
    }

    @Test
    void anEntryLeftOutWrittenTwiceOrMisshapenLeavesNoFile() throws Exception {
        try (Scope s = Scope.open(); Rng rng = Rng.seeded("stream-write", 2)) {
            Map<String, Tensor> m = tensors(rng);
            Path out = tmp.resolve("bad.safetensors");
            SafetensorsException missing = assertThrows(SafetensorsException.class, () -> SafetensorsWriter.writeStreaming(
                    out, layout(m), Map.of(), sink -> sink.put("a.weight", m.get("a.weight"))));
            assertTrue(missing.getMessage().contains("never written"), missing.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.writeStreaming(out, layout(m), Map.of(),
                    sink -> { sink.put("ids", m.get("ids")); sink.put("ids", m.get("ids")); }));
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter
                    .writeStreaming(out, layout(m), Map.of(), sink -> sink.put("a.weight", m.get("a.weight").t())));
            assertTrue(shape.getMessage().contains("layout says"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.writeStreaming(out, layout(m), Map.of(),
                    sink -> sink.put("nope", m.get("ids"))));
            assertFalse(Files.exists(out), "no partial file at the target");
            try (var files = Files.list(tmp)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporaries removed");
            }
        }
    }
}
