package dev.frugal.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import dev.frugal.testing.SeededCases;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

class OnnxReaderTest {

    @Test
    void readsMiniLmGraph() {
        OnnxModel m = MiniLmResources.model();
        assertEquals(java.util.List.of("input_ids", "attention_mask", "token_type_ids"), m.inputs());
        assertEquals(java.util.List.of("last_hidden_state"), m.outputs());
        assertEquals(637, m.nodes().size());
        assertEquals(102, m.initializers().size());
        assertEquals(11L, m.opsets().get(""));
        OnnxInitializer word = m.initializers().get("embeddings.word_embeddings.weight");
        assertArrayEquals(new long[] {30522, 384}, word.dims());
        assertEquals(OnnxDataType.FLOAT, word.type());
        assertEquals(30522 * 384, word.toFloats().length);
        long[] positions = m.initializers().get("embeddings.position_ids").toLongs();
        assertEquals(511L, positions[511]);
    }

    @Test
    void readsAttributesAndConstants() {
        OnnxModel m = MiniLmResources.model();
        OnnxNode transpose = m.nodes().stream().filter(n -> n.opType().equals("Transpose")).findFirst().orElseThrow();
        long[] perm = ((OnnxAttribute.Ints) transpose.attribute("perm").orElseThrow()).values();
        assertArrayEquals(new long[] {0, 2, 1, 3}, perm);
        OnnxGraph g = new OnnxGraph(m);
        long epsConstants = m.nodes().stream().filter(n -> n.opType().equals("Constant"))
                .map(n -> g.constant(n.output(0)).orElseThrow())
                .filter(t -> t.type() == OnnxDataType.FLOAT && t.numel() == 1 && t.scalarFloat() == 1e-12f).count();
        assertEquals(13, epsConstants, "one epsilon constant per decomposed LayerNorm (1 + 6×2)");
    }

    @Test
    void truncatedFileIsTypedErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        byte[] all = Files.readAllBytes(MiniLmResources.file(MiniLmResources.ONNX));
        Path cut = tmp.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxReader.read(cut));
        assertTrue(e.getMessage().contains("cut.onnx"), e.getMessage());
        assertEquals(cut, e.file());
    }

    @Test
    void emptyFileIsTypedError(@TempDir Path tmp) throws IOException {
        Path empty = Files.write(tmp.resolve("empty.onnx"), new byte[0]);
        assertThrows(OnnxFormatException.class, () -> OnnxReader.read(empty));
    }

    /** Random bytes and truncated prefixes never escape as anything but OnnxFormatException. */
    static LongStream garbage() { return SeededCases.seeds("onnx-garbage", 200); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("garbage")
    void garbageIsTypedError(long seed) {
        SeededCases.Case c = SeededCases.of(seed);
        byte[] junk = c.bytes("junk", c.intIn("length", 1, 4000));
        try {
            OnnxReader.parse(junk, Path.of("junk.onnx"));
        } catch (OnnxFormatException expected) {
            assertTrue(expected.getMessage().startsWith("junk.onnx"), c + ": " + expected.getMessage());
        }
    }

    static LongStream prefixes() { return SeededCases.seeds("onnx-prefix", 50); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("prefixes")
    void prefixesOfRealHeaderAreTypedError(long seed) throws IOException {
        int length = SeededCases.of(seed).intIn("length", 1, 200_000);
        byte[] head = headBytes();
        byte[] prefix = Arrays.copyOf(head, Math.min(length, head.length));
        assertThrows(OnnxFormatException.class, () -> OnnxReader.parse(prefix, Path.of("prefix.onnx")));
    }

    private static byte[] headCache;

    private static synchronized byte[] headBytes() throws IOException {
        if (headCache == null) {
            try (var in = Files.newInputStream(MiniLmResources.file(MiniLmResources.ONNX))) {
                headCache = in.readNBytes(200_000);
            }
        }
        return headCache;
    }
}
