package dev.frugal.io;

import static dev.frugal.io.RawFiles.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of malformed file gets a {@link SafetensorsException} of the right {@link Kind} whose message names the
 * file and the problem. Files are hand-built byte by byte, so nothing here depends on the writer.
 */
class SafetensorsBadInputTest {
    @TempDir
    Path tmp;

    /**
     * @param name     file name stem (and test display name)
     * @param content  the whole file
     * @param kind     expected kind
     * @param fragment text the message must contain (besides the file name)
     */
    record Bad(String name, byte[] content, Kind kind, String fragment) {
        @Override
        public String toString() { return name + " -> " + kind; }
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private static String header(String... entries) { return "{" + String.join(",", entries) + "}"; }

    private static final String A8 = entry("a", "\"F32\"", "[2]", "[0,8]");

    static Stream<Bad> badFiles() {
        byte[] badUtf8 = bytes(header(A8), 8);
        badUtf8[8 + 2] = (byte) 0xC3; // inside the name "a": a lone UTF-8 lead byte
        return Stream.of(
                // truncation
                new Bad("empty", new byte[0], Kind.TRUNCATED, "0 bytes"),
                new Bad("five-bytes", new byte[] {1, 0, 0, 0, 0}, Kind.TRUNCATED, "8-byte header length"),
                new Bad("data-short", bytes(header(A8, entry("b", "\"I64\"", "[1]", "[8,16]")), 12), Kind.TRUNCATED,
                        "need 16 data bytes but the file holds 12"),
                // header length
                new Bad("hlen-past-end", bytes(1000, header(A8), 8), Kind.HEADER_LENGTH, "runs past the end"),
                new Bad("hlen-zero", bytes(0, header(A8), 8), Kind.HEADER_LENGTH, "header length 0 is impossible"),
                new Bad("hlen-huge", bytes(-1L, header(A8), 8), Kind.HEADER_LENGTH, "18446744073709551615"),
                new Bad("hlen-short", bytes(5, header(A8), 8), Kind.HEADER_JSON, "not valid JSON"),
                // header JSON
                new Bad("not-json", bytes("this is not json", 0), Kind.HEADER_JSON, "not valid JSON"),
                new Bad("json-array", bytes("[1,2,3]", 0), Kind.HEADER_JSON, "not an object"),
                new Bad("json-string", bytes("\"F32\"", 0), Kind.HEADER_JSON, "not an object"),
                new Bad("trailing-json", bytes(header(A8) + " {}", 8), Kind.HEADER_JSON, "not valid JSON"),
                new Bad("duplicate-key", bytes(header(A8, A8), 8), Kind.HEADER_JSON, "Duplicate field 'a'"),
                new Bad("bad-utf8", badUtf8, Kind.HEADER_JSON, "not valid UTF-8"),
                // entries
                new Bad("entry-not-object", bytes("{\"a\":[1,2]}", 0), Kind.MALFORMED_ENTRY, "'a' is not an object"),
                new Bad("no-dtype", bytes("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), Kind.MALFORMED_ENTRY,
                        "no \"dtype\""),
                new Bad("dtype-number", bytes(header(entry("a", "7", "[2]", "[0,8]")), 8), Kind.MALFORMED_ENTRY,
                        "no \"dtype\""),
                new Bad("no-shape", bytes("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8),
                        Kind.MALFORMED_ENTRY, "no \"shape\""),
                new Bad("no-offsets", bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), Kind.MALFORMED_ENTRY,
                        "data_offsets"),
                new Bad("three-offsets", bytes(header(entry("a", "\"F32\"", "[2]", "[0,8,8]")), 8),
                        Kind.MALFORMED_ENTRY, "data_offsets"),
                new Bad("metadata-array", bytes("{\"__metadata__\":[1]," + A8 + "}", 8), Kind.MALFORMED_ENTRY,
                        "__metadata__ must be an object"),
                new Bad("metadata-number", bytes("{\"__metadata__\":{\"n\":1}," + A8 + "}", 8), Kind.MALFORMED_ENTRY,
                        "value of 'n' must be a string"),
                // dtype
                new Bad("dtype-f8", bytes(header(entry("a", "\"F8_E4M3\"", "[8]", "[0,8]")), 8), Kind.UNKNOWN_DTYPE,
                        "unknown dtype 'F8_E4M3'"),
                new Bad("dtype-lower", bytes(header(entry("a", "\"float32\"", "[2]", "[0,8]")), 8), Kind.UNKNOWN_DTYPE,
                        "unknown dtype 'float32'"),
                // shapes
                new Bad("size-mismatch", bytes(header(entry("a", "\"F32\"", "[3]", "[0,8]")), 8), Kind.SIZE_MISMATCH,
                        "= 12 bytes, but data_offsets [0, 8] hold 8"),
                new Bad("negative-dim", bytes(header(entry("a", "\"F32\"", "[-2]", "[0,8]")), 8), Kind.BAD_SHAPE,
                        "dimension -2"),
                new Bad("fractional-dim", bytes(header(entry("a", "\"F32\"", "[2.0]", "[0,8]")), 8), Kind.BAD_SHAPE,
                        "dimension 2.0"),
                new Bad("string-dim", bytes(header(entry("a", "\"F32\"", "[\"2\"]", "[0,8]")), 8), Kind.BAD_SHAPE,
                        "dimension \"2\""),
                new Bad("huge-dim", bytes(header(entry("a", "\"U8\"", "[100000000000000000000]", "[0,8]")), 8),
                        Kind.BAD_SHAPE, "dimension 100000000000000000000"),
                new Bad("overflow-bytes", bytes(header(entry("a", "\"F32\"", "[4294967296,4294967296]", "[0,8]")), 8),
                        Kind.BAD_SHAPE, "overflows"),
                new Bad("overflow-numel", bytes(header(entry("a", "\"I8\"", "[4611686018427387904,2]", "[0,8]")), 8),
                        Kind.BAD_SHAPE, "overflows"),
                // offsets and layout
                new Bad("begin-after-end", bytes(header(entry("a", "\"U8\"", "[0]", "[8,0]")), 8),
                        Kind.OFFSETS_OUT_OF_RANGE, "[8, 0]"),
                new Bad("negative-offset", bytes(header(entry("a", "\"U8\"", "[8]", "[-8,0]")), 8),
                        Kind.OFFSETS_OUT_OF_RANGE, "[-8, 0]"),
                new Bad("fractional-offset", bytes(header(entry("a", "\"U8\"", "[8]", "[0.5,8.5]")), 8),
                        Kind.OFFSETS_OUT_OF_RANGE, "0.5"),
                new Bad("offset-far-out", bytes(header(A8, entry("b", "\"F32\"", "[1]", "[1000,1004]")), 8),
                        Kind.OFFSETS_OUT_OF_RANGE, "'b' has data_offsets [1000, 1004] outside the data section of 8"),
                new Bad("overlap", bytes(header(A8, entry("b", "\"F32\"", "[2]", "[4,12]")), 12), Kind.OVERLAP,
                        "'b' (bytes 4..12) overlaps tensor 'a' (bytes 0..8)"),
                new Bad("same-range", bytes(header(A8, entry("b", "\"I64\"", "[1]", "[0,8]")), 8), Kind.OVERLAP,
                        "overlaps"),
                new Bad("hole", bytes(header(entry("a", "\"F32\"", "[1]", "[0,4]"), entry("b", "\"F32\"", "[1]",
                        "[8,12]")), 12), Kind.HOLE, "hole of 4 bytes (4..8) before tensor 'b'"),
                new Bad("trailing-bytes", bytes(header(A8), 16), Kind.HOLE, "8 bytes after the last tensor"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badFileGetsTypedExceptionNamingFileAndProblem(Bad bad) {
        Path f = RawFiles.write(tmp.resolve(bad.name() + ".safetensors"), bad.content());
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f).close());
        assertEquals(bad.kind(), e.kind(), e.getMessage());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(bad.fragment()), "message says '" + bad.fragment() + "': " + e.getMessage());
    }

    @Test
    void missingFileAndDirectoryAreIoErrors() throws Exception {
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(tmp.resolve("nope.safetensors")));
        assertEquals(Kind.IO, e.kind());
        assertTrue(e.getMessage().contains("nope.safetensors") && e.getMessage().contains("no such file"));
        Files.createDirectory(tmp.resolve("d.safetensors"));
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(tmp.resolve("d.safetensors")));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void hugeHeaderMessagesStayShort() {
        String longName = "n".repeat(40_000); // Jackson refuses names over 50,000 chars (a HEADER_JSON error)
        byte[] content = bytes(header(entry(longName, "\"F32\"", "[1]", "[0,4]")) + " ".repeat(3), 0);
        Path f = RawFiles.write(tmp.resolve("long.safetensors"), content);
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f));
        assertEquals(Kind.TRUNCATED, e.kind());
        assertTrue(e.getMessage().length() < 1_000, "message length " + e.getMessage().length());
        Path g = RawFiles.write(tmp.resolve("longer.safetensors"), bytes(header(entry("n".repeat(60_000), "\"F32\"",
                "[1]", "[0,4]")), 4));
        e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(g));
        assertEquals(Kind.HEADER_JSON, e.kind());
        assertTrue(e.getMessage().length() < 1_000, "message length " + e.getMessage().length());
    }

    @Test
    void validEdgeCasesOpen() {
        // empty header, zero-size tensors sharing an offset, padding spaces, null metadata: all legal
        String h = "{\"__metadata__\":null," + entry("z1", "\"F32\"", "[0,5]", "[0,0]") + ","
                + entry("a", "\"BF16\"", "[2,2]", "[0,8]") + "," + entry("z2", "\"BOOL\"", "[3,0]", "[8,8]") + "}    ";
        for (byte[] content : new byte[][] {bytes("{}", 0), bytes("{}      ", 0)}) {
            Path f = RawFiles.write(tmp.resolve("ok.safetensors"), content);
            try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                assertTrue(sf.names().isEmpty(), Arrays.toString(content));
                assertEquals(0, sf.dataBytes());
                assertTrue(sf.metadata().isEmpty());
            }
        }
        Path f = RawFiles.write(tmp.resolve("ok.safetensors"), bytes(h, 8));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) { // every entry kept, the zero-size ones too
            assertEquals(java.util.Set.of("z1", "a", "z2"), new java.util.HashSet<>(sf.names()));
            assertEquals(8, sf.dataBytes());
            assertArrayEquals(new long[] {0, 5}, sf.info("z1").shape());
            assertArrayEquals(new long[] {2, 2}, sf.info("a").shape());
            assertArrayEquals(new long[] {3, 0}, sf.info("z2").shape());
            assertTrue(sf.metadata().isEmpty());
        }
    }

    static String utf8(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
}
