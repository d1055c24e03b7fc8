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

    /**
     * {@link SafetensorsWriter.TensorSink#putPart}: entries written in parts (of any sizes, flattened, in order) give the
     * whole-map writer's bytes; a part out of order, past the end, of another dtype, or an entry left incomplete or
     * also put whole is refused, and no file appears.
     */
    @Test
    void entriesWrittenInPartsGiveTheSameBytes() throws Exception {
        try (Scope s = Scope.open(); Rng rng = Rng.seeded("stream-parts", 2)) {
            Map<String, Tensor> m = tensors(rng);
            Path whole = tmp.resolve("whole.safetensors"), parts = tmp.resolve("parts.safetensors");
            SafetensorsWriter.write(whole, m, Map.of("format", "pt"));
            SafetensorsWriter.writeStreaming(parts, layout(m), Map.of("format", "pt"), sink -> m.forEach((n, t) -> {
                Tensor flat = t.contiguous().reshape(t.numel());
                long step = Math.max(1, t.numel() / 3 + 1); // uneven parts: 8, 8, 5 of a.weight's 21
                if (t.numel() == 0) sink.put(n, t);
                else for (long from = 0; from < t.numel(); from += step)
                    sink.putPart(n, from, flat.narrow(0, from, Math.min(step, t.numel() - from)));
            }));
            assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(parts));

            Tensor w = m.get("a.weight").reshape(21);
            List<java.util.function.Consumer<SafetensorsWriter.TensorSink>> bad = List.of(
                    sink -> sink.putPart("a.weight", 4, w.narrow(0, 4, 4)), // not from element 0
                    sink -> sink.putPart("a.weight", 0, Tensors.randn(rng, 22)), // past the end
                    sink -> sink.putPart("a.weight", 0, w.narrow(0, 0, 4).to(DType.BF16)), // another dtype
                    sink -> sink.putPart("nope", 0, w), // not in the layout
                    sink -> {
                        sink.putPart("a.weight", 0, w);
                        sink.put("a.weight", m.get("a.weight")); // whole after its parts
                    });
            for (var fill : bad) {
                Path f = tmp.resolve("bad.safetensors");
                assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.writeStreaming(f, layout(m),
                        Map.of(), fill));
                assertFalse(Files.exists(f));
            }
            Path incomplete = tmp.resolve("incomplete.safetensors");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsWriter.writeStreaming(
                    incomplete, layout(m), Map.of(), sink -> {
                        m.forEach((n, t) -> { if (!n.equals("a.weight")) sink.put(n, t); });
                        sink.putPart("a.weight", 0, w.narrow(0, 0, 20)); // one element short
                    }));
            assertTrue(e.getMessage().contains("a.weight"), e.getMessage());
            assertFalse(Files.exists(incomplete));
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
