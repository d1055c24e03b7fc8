package dev.frugal.io;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based robustness of the parser: random JSON headers and mutated real files either open with a consistent
 * result (tensors tiling the data section, shape × dtype = byte length, every tensor readable) or fail with a
 * {@link SafetensorsException}; no other exception, and no JVM crash when libtorch reads what was accepted.
 */
class SafetensorsPropertiesTest {
    private static Path dir;
    private static byte[] validFile;

    @BeforeContainer
    static void writeValidFile() throws IOException {
        dir = Files.createTempDirectory("frugal-props");
        Path f = dir.resolve("valid.safetensors");
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("props", 1);
            Map<String, Tensor> ts = new LinkedHashMap<>();
            ts.put("w", Tensors.randn(rng, 3, 5));
            ts.put("h", Tensors.randn(rng, DType.F16, dev.frugal.tensor.Device.CPU, 4));
            ts.put("b", Tensors.randn(rng, DType.BF16, dev.frugal.tensor.Device.CPU, 2, 2));
            ts.put("ids", Tensors.randint(-5, 5, rng, 6));
            ts.put("mask", Tensors.randint(0, 2, rng, 7).to(DType.BOOL));
            ts.put("u", Tensors.randint(0, 255, rng, 3).to(DType.U8));
            ts.put("scalar", Tensors.randn(rng, DType.F64, dev.frugal.tensor.Device.CPU));
            SafetensorsWriter.write(f, ts, Map.of("format", "pt"));
        }
        validFile = Files.readAllBytes(f);
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    // ---------------------------------------------------------------- random headers

    /** A header text and the size of the data section it is checked against. */
    record HeaderCase(String json, long dataBytes) {}

    /** One generated entry: name, dtype JSON, shape JSON and its byte size when valid (-1 otherwise). */
    record EntrySpec(String name, String dtypeJson, String shapeJson, long bytes, int offsetNoise) {}

    @Provide
    Arbitrary<HeaderCase> headers() {
        Arbitrary<HeaderCase> structured = entrySpec().list().ofMaxSize(5).flatMap(specs ->
                Combinators.combine(Arbitraries.of(true, true, false),
                        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.just(0)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(-3, 3))),
                        Arbitraries.of("", "", "", "", "", ",\"__metadata__\":{\"format\":\"pt\"}", ",\"__metadata__\":{\"n\":1}",
                                ",\"__metadata__\":null", ",\"__metadata__\":[]"))
                        .as((sequential, sizeNoise, meta) -> build(specs, sequential, sizeNoise, meta)));
        Arbitrary<HeaderCase> noise = Combinators.combine(
                Arbitraries.strings().withChars("{}[]\":,-.0123456789eE aFIUBOL_dtypshaeofs").ofMaxLength(80),
                Arbitraries.longs().between(0, 64)).as(HeaderCase::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, structured), net.jqwik.api.Tuple.of(1, noise));
    }

    private Arbitrary<EntrySpec> entrySpec() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(6),
                Arbitraries.of("w", "a.b", "__metadata__", "", "é\u0000"));
        Arbitrary<String> dtypes = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.of(DType.values()).map(d -> "\"" + d.safetensorsName() + "\"")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\"F8_E4M3\"", "\"f32\"", "\"\"", "\"I128\"", "3", "null",
                        "[\"F32\"]", "{}")));
        Arbitrary<List<String>> dims = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 6).map(String::valueOf),
                Arbitraries.of("-1", "1.5", "2.0", "\"3\"", "null", "true", "9223372036854775807", "4294967296",
                        "99999999999999999999")).list().ofMaxSize(4);
        return Combinators.combine(names, dtypes, dims, Arbitraries.integers().between(-2, 2).withDistribution(
                net.jqwik.api.RandomDistribution.gaussian()), Arbitraries.of(true, true, true, true, true, true, true, true, true, false))
                .as((name, dtype, shape, noise, shapeIsArray) -> {
                    String shapeJson = shapeIsArray ? "[" + String.join(",", shape) + "]" : "\"[2]\"";
                    return new EntrySpec(name, dtype, shapeJson, bytesOf(dtype, shape), noise);
                });
    }

    /** The valid byte size of an entry, or 1 when its dtype or shape is invalid (the offsets then still look sane). */
    private static long bytesOf(String dtypeJson, List<String> dims) {
        if (!dtypeJson.startsWith("\"")) return 1;
        var d = DType.fromSafetensors(dtypeJson.substring(1, dtypeJson.length() - 1));
        long n = d.map(DType::bytes).orElse(1);
        for (String s : dims) {
            try {
                n = Math.multiplyExact(n, Math.max(0, Long.parseLong(s)));
            } catch (NumberFormatException | ArithmeticException e) {
                return 1;
            }
        }
        return n;
    }

    private static HeaderCase build(List<EntrySpec> specs, boolean sequential, int sizeNoise, String meta) {
        StringBuilder sb = new StringBuilder("{\"_\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}");
        long pos = 0;
        for (EntrySpec e : specs) {
            long len = Math.min(e.bytes(), 1 << 20);
            long begin = sequential ? pos : Math.max(0, pos + e.offsetNoise());
            long end = begin + len + (!sequential && e.offsetNoise() == 2 ? 1 : 0); // sometimes a size mismatch
            sb.append(",\"").append(e.name().replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "\\u0000"))
                    .append("\":{\"dtype\":").append(e.dtypeJson()).append(",\"shape\":").append(e.shapeJson())
                    .append(",\"data_offsets\":[").append(begin).append(',').append(end).append("]}");
            pos = Math.max(pos, end);
        }
        sb.append(meta).append('}');
        return new HeaderCase(sb.toString(), Math.max(0, pos + sizeNoise));
    }

    @Property(tries = 400)
    void randomHeadersParseConsistentlyOrThrowTyped(@ForAll("headers") HeaderCase h) {
        Path nominal = dir.resolve("random-header.safetensors");
        try {
            SafetensorsHeader parsed = SafetensorsHeader.parse(nominal, h.json().getBytes(StandardCharsets.UTF_8),
                    h.dataBytes());
            assertConsistent(parsed.tensors(), h.dataBytes(), h.json());
            Statistics.label("outcome").collect("accepted");
        } catch (SafetensorsException e) {
            Statistics.label("outcome").collect(e.kind());
            if (!e.getMessage().startsWith(nominal + ": ")) throw new AssertionError("message must name the file: " + e);
        }
    }

    // ---------------------------------------------------------------- mutated files

    enum Mutation { FLIP_BYTES, FLIP_HEADER_BYTES, FLIP_DATA_BYTES, TRUNCATE, HEADER_LENGTH, APPEND }

    /** A mutation and its random parameters: positions/values drawn from {@code seeds}. */
    record MutationCase(Mutation kind, List<Integer> seeds) {
        @Override
        public String toString() { return kind + " " + seeds; }
    }

    @Provide
    Arbitrary<MutationCase> mutations() {
        return Combinators.combine(Arbitraries.of(Mutation.class),
                Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(6))
                .as(MutationCase::new);
    }

    private static byte[] mutate(MutationCase m) {
        byte[] b = validFile.clone();
        List<Integer> s = m.seeds();
        int headerLen = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return switch (m.kind()) {
            case FLIP_BYTES -> {
                for (int i = 0; i + 1 < s.size() || i == 0; i += 2)
                    b[s.get(i) % b.length] ^= (byte) (1 + (i + 1 < s.size() ? s.get(i + 1) % 255 : 0));
                yield b;
            }
            case FLIP_HEADER_BYTES -> { // inside the JSON: digits, quotes, brackets, names
                String chars = "0123456789{}[]\",:-.FIUB ";
                for (int x : s) b[8 + x % headerLen] = (byte) chars.charAt(x % chars.length());
                yield b;
            }
            case FLIP_DATA_BYTES -> { // values only: the header stays valid, libtorch gets arbitrary bit patterns
                int data = b.length - 8 - headerLen;
                for (int x : s) b[8 + headerLen + x % data] = (byte) (x >>> 8);
                yield b;
            }
            case TRUNCATE -> java.util.Arrays.copyOf(b, s.getFirst() % b.length);
            case HEADER_LENGTH -> {
                long[] choices = {headerLen + (s.getFirst() % 17) - 8, s.getFirst(), -1L, 0, 1, (long) s.getFirst() << 32,
                        b.length - 8, b.length};
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[s.getLast() % choices.length]);
                yield b;
            }
            case APPEND -> java.util.Arrays.copyOf(b, b.length + 1 + s.getFirst() % 64);
        };
    }

    @Property(tries = 400)
    void mutatedFilesOpenConsistentlyOrThrowTyped(@ForAll("mutations") MutationCase m) throws IOException {
        Path f = dir.resolve("mutated.safetensors");
        Files.write(f, mutate(m));
        try (SafetensorsFile sf = SafetensorsFile.open(f); Scope s = Scope.open()) {
            assertConsistent(sf.infos(), sf.dataBytes(), m.toString());
            Statistics.label("outcome").collect("accepted");
            for (String name : sf.names()) {
                try {
                    Tensor t = sf.tensor(name); // libtorch copies what the header accepted: must not crash
                    if (t.nbytes() != sf.info(name).byteLength()) throw new AssertionError(name + " read back "
                            + t.nbytes() + " bytes");
                } catch (SafetensorsException e) {
                    if (e.kind() != SafetensorsException.Kind.BAD_VALUE) throw e; // a flipped BOOL byte
                }
            }
        } catch (SafetensorsException e) {
            Statistics.label("outcome").collect(e.kind());
            if (!e.getMessage().startsWith(f + ": ")) throw new AssertionError("message must name the file: " + e);
        }
    }

    @Property(tries = 50)
    void unmutatedFileAlwaysOpens(@ForAll("mutations") MutationCase ignored) throws IOException {
        Path f = dir.resolve("valid-copy.safetensors");
        Files.write(f, validFile);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertConsistent(sf.infos(), sf.dataBytes(), "valid");
            if (sf.names().size() != 7) throw new AssertionError(sf.names());
        }
    }

    /** Sorted by begin, the entries tile [0, dataBytes) and each byte length is numel × dtype size. */
    private static void assertConsistent(Map<String, TensorInfo> tensors, long dataBytes, String input) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long pos = 0;
        for (TensorInfo i : sorted) {
            if (i.begin() != pos) throw new AssertionError("accepted a gap or overlap at " + i + " in " + input);
            if (SafetensorsHeader.byteLength(i.shape(), i.dtype()) != i.byteLength())
                throw new AssertionError("accepted a size mismatch " + i + " in " + input);
            pos = i.end();
        }
        if (pos != dataBytes) throw new AssertionError("accepted " + pos + " of " + dataBytes + " bytes in " + input);
    }
}
