package dev.frugal.io;

import static dev.frugal.io.RawFiles.le16;
import static dev.frugal.io.RawFiles.le32;
import static dev.frugal.io.RawFiles.le64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every dtype written and read back bit for bit, including fp16/bf16 specials; metadata; layout details. */
class SafetensorsRoundTripTest {
    @TempDir
    Path tmp;

    /** Raw element bytes for a dtype and the values they must read back as (as float64 / int64). */
    private record Case(byte[] raw, double[] asDouble, long[] asLong) {}

    private static Case caseFor(DType d) {
        float nan = Float.intBitsToFloat(0x7fc00001);
        return switch (d) {
            case F32 -> new Case(le32(f32(1f), f32(-2.5f), f32(Float.MIN_VALUE), f32(-0f), f32(Float.POSITIVE_INFINITY),
                    0x7fc00001, f32(Float.MAX_VALUE), f32(3.14159f)),
                    new double[] {1, -2.5, Float.MIN_VALUE, -0.0, Double.POSITIVE_INFINITY, nan, Float.MAX_VALUE, 3.14159f},
                    null);
            // 1, -2, smallest subnormal 2^-24, -0, +inf, NaN with payload, max 65504, 0x3555
            case F16 -> new Case(le16(0x3C00, 0xC000, 0x0001, 0x8000, 0x7C00, 0x7E01, 0x7BFF, 0x3555),
                    new double[] {1, -2, Math.scalb(1.0, -24), -0.0, Double.POSITIVE_INFINITY, Double.NaN, 65504,
                            0.333251953125},
                    null);
            // bf16 is the top half of an fp32: value = intBitsToFloat(bits << 16)
            case BF16 -> new Case(le16(0x3F80, 0xC020, 0x0001, 0x8000, 0x7F80, 0x7FC1, 0x7F7F, 0x4049),
                    new double[] {1, -2.5, Math.scalb(1.0, -133), -0.0, Double.POSITIVE_INFINITY, Double.NaN,
                            Float.intBitsToFloat(0x7F7F0000), 3.140625},
                    null);
            case F64 -> new Case(le64(d64(1), d64(-2.5), d64(Double.MIN_VALUE), d64(-0.0), d64(Double.NEGATIVE_INFINITY),
                    0x7ff8000000000001L, d64(Math.PI), d64(1e300)),
                    new double[] {1, -2.5, Double.MIN_VALUE, -0.0, Double.NEGATIVE_INFINITY, Double.NaN, Math.PI, 1e300},
                    null);
            case I64 -> longs(le64(Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 1, (1L << 53) + 1, 42, -42),
                    Long.MIN_VALUE, Long.MAX_VALUE, -1, 0, 1, (1L << 53) + 1, 42, -42);
            case I32 -> longs(le32(Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, 123456789, 42, -42),
                    Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, 123456789, 42, -42);
            case I16 -> longs(le16(-32768, 32767, -1, 0, 1, 1234, 42, -42), -32768, 32767, -1, 0, 1, 1234, 42, -42);
            case I8 -> longs(new byte[] {-128, 127, -1, 0, 1, 2, 42, -42}, -128, 127, -1, 0, 1, 2, 42, -42);
            case U8 -> longs(new byte[] {0, (byte) 255, (byte) 128, 127, 1, 2, 42, (byte) 200}, 0, 255, 128, 127, 1, 2, 42, 200);
            case BOOL -> longs(new byte[] {0, 1, 1, 0, 1, 0, 0, 1}, 0, 1, 1, 0, 1, 0, 0, 1);
        };
    }

    private static Case longs(byte[] raw, long... values) { return new Case(raw, null, values); }

    private static int f32(float f) { return Float.floatToRawIntBits(f); }

    private static long d64(double v) { return Double.doubleToRawLongBits(v); }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsBitForBit(DType d) {
        Case c = caseFor(d);
        Path f = tmp.resolve(d + ".safetensors");
        try (Scope s = Scope.open()) {
            Tensor t = RawFiles.tensor(d, c.raw(), 2, 4);
            SafetensorsWriter.write(f, Map.of("x", t), Map.of());
        }
        try (SafetensorsFile sf = SafetensorsFile.open(f); Scope s = Scope.open()) {
            TensorInfo i = sf.info("x");
            assertEquals(d, i.dtype());
            assertArrayEquals(new long[] {2, 4}, i.shape());
            assertEquals(8L * d.bytes(), i.byteLength());
            assertArrayEquals(c.raw(), sf.bytes("x").toArray(ValueLayout.JAVA_BYTE), d + ": mapped bytes");
            Tensor back = sf.tensor("x");
            assertEquals(d, back.dtype());
            assertArrayEquals(c.raw(), back.toByteArray(), d + ": tensor bytes");
            if (c.asLong() != null) assertArrayEquals(c.asLong(), back.toLongArray(), d + ": values");
            else {
                double[] got = back.toDoubleArray();
                for (int k = 0; k < got.length; k++) {
                    double want = c.asDouble()[k];
                    if (Double.isNaN(want)) assertTrue(Double.isNaN(got[k]), d + "[" + k + "] should be NaN");
                    else assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[k]),
                            d + "[" + k + "]: want " + want + ", got " + got[k]);
                }
            }
        }
    }

    @Test
    void allDtypesInOneFileWithMetadataAndUnicodeNames() throws Exception {
        Map<String, Tensor> ts = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "grüße, 世界 \"quoted\" \\ \n newline");
        meta.put("", "empty key");
        Path f = tmp.resolve("all.safetensors");
        try (Scope s = Scope.open()) {
            for (DType d : DType.values()) ts.put("t." + d + ".é", RawFiles.tensor(d, caseFor(d).raw(), 8));
            ts.put("scalar", RawFiles.tensor(DType.F32, le32(f32(7f))));      // 0-d
            ts.put("empty", RawFiles.tensor(DType.BF16, new byte[0], 0, 3)); // zero elements
            SafetensorsWriter.write(f, ts, meta);
        }
        byte[] file = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, (8 + headerLen) % 8, "data section starts 8-aligned even with multi-byte UTF-8 names");
        try (SafetensorsFile sf = SafetensorsFile.open(f); Scope s = Scope.open()) {
            assertEquals(meta, sf.metadata());
            assertEquals(List.copyOf(ts.keySet()), sf.names(), "header order is map order");
            for (DType d : DType.values())
                assertArrayEquals(caseFor(d).raw(), sf.tensor("t." + d + ".é").toByteArray(), d.toString());
            assertArrayEquals(new long[0], sf.info("scalar").shape());
            assertEquals(7f, sf.tensor("scalar").itemFloat());
            assertArrayEquals(new long[] {0, 3}, sf.tensor("empty").shape());
            assertEquals(file.length - 8 - headerLen, sf.dataBytes());
        }
    }

    @Test
    void noMetadataWritesNoMetadataKeyAndReadsEmpty() throws Exception {
        Path f = tmp.resolve("nometa.safetensors");
        try (Scope s = Scope.open()) {
            SafetensorsWriter.write(f, Map.of("a", RawFiles.tensor(DType.U8, new byte[] {1})), null);
        }
        assertFalse(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8).contains("__metadata__"));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertTrue(sf.metadata().isEmpty());
        }
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws Exception {
        Path f = tmp.resolve("atomic.safetensors");
        try (Scope s = Scope.open()) {
            SafetensorsWriter.write(f, Map.of("a", RawFiles.tensor(DType.U8, new byte[] {1, 2}, 2)), Map.of());
            byte[] before = Files.readAllBytes(f);
            // a refused write (reserved name) leaves the old file as it was
            var e = assertThrows(SafetensorsException.class, () -> SafetensorsWriter.write(f,
                    Map.of("__metadata__", RawFiles.tensor(DType.U8, new byte[] {3})), Map.of()));
            assertEquals(SafetensorsException.Kind.UNSUPPORTED, e.kind());
            assertTrue(e.getMessage().contains("atomic.safetensors"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(f));
            Map<String, Tensor> nullTensor = new LinkedHashMap<>();
            nullTensor.put("a", null);
            assertEquals(SafetensorsException.Kind.UNSUPPORTED, assertThrows(SafetensorsException.class,
                    () -> SafetensorsWriter.write(f, nullTensor, Map.of())).kind());
            // a null metadata value is refused up front too
            Map<String, String> badMeta = new LinkedHashMap<>();
            badMeta.put("k", null);
            assertThrows(SafetensorsException.class, () -> SafetensorsWriter.write(f,
                    Map.of("a", RawFiles.tensor(DType.U8, new byte[] {3})), badMeta));
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of("atomic.safetensors"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                "readable like a file Python writes, not the 0600 of a temp file");
    }

    @Test
    void closedFileRefusesReadsAndCloseIsIdempotent() {
        Path f = tmp.resolve("c.safetensors");
        try (Scope s = Scope.open()) {
            SafetensorsWriter.write(f, Map.of("a", RawFiles.tensor(DType.F32, le32(f32(1f)), 1)), Map.of());
        }
        SafetensorsFile sf = SafetensorsFile.open(f);
        var seg = sf.bytes("a");
        sf.close();
        sf.close();
        assertThrows(IllegalStateException.class, () -> sf.tensor("a"));
        assertThrows(IllegalStateException.class, () -> sf.bytes("a"));
        assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(List.of("a"), sf.names(), "the header stays readable");
    }

    @Test
    void boolBytesOtherThanZeroOrOneAreRefusedBeforeLibtorch() {
        Path f = RawFiles.write(tmp.resolve("bool.safetensors"), RawFiles.bytes(
                "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 0));
        byte[] content = RawFiles.bytes("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3);
        content[content.length - 1] = 2; // data bytes 0, 1, 2
        RawFiles.write(f, content);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            var e = assertThrows(SafetensorsException.class, () -> sf.tensor("m"));
            assertEquals(SafetensorsException.Kind.BAD_VALUE, e.kind());
            assertTrue(e.getMessage().contains("bool.safetensors") && e.getMessage().contains("'m'")
                    && e.getMessage().contains("byte 2"), e.getMessage());
        }
    }

    @Test
    void unknownTensorNameIsTyped() {
        Path f = RawFiles.write(tmp.resolve("one.safetensors"), RawFiles.bytes("{}", 0));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            var e = assertThrows(SafetensorsException.class, () -> sf.tensor("nope"));
            assertEquals(SafetensorsException.Kind.NO_SUCH_TENSOR, e.kind());
            assertTrue(e.getMessage().contains("one.safetensors") && e.getMessage().contains("'nope'"));
        }
    }
}
