package dev.frugal.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.frugal.testing.SeededCases;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property-based robustness of the parser: random JSON headers and mutated real files either open with a consistent
 * result (tensors tiling the data section, shape × dtype = byte length, every tensor readable) or fail with a
 * {@link SafetensorsException}; no other exception, and no JVM crash when libtorch reads what was accepted.
 */
class SafetensorsPropertiesTest {
    private static Path dir;
    private static byte[] validFile;

    @BeforeAll
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

    @AfterAll
    static void deleteDir() throws IOException {
        OUTCOMES.forEach((k, v) -> System.out.println("safetensors properties, " + k + ": " + v)); // the mix of cases
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
        // a parser that refused everything would pass each case (every refusal is typed and names the file), so a
        // full run of the header property must accept some of them: 51 of the 400 seeded headers are valid
        int headers = OUTCOMES.entrySet().stream().filter(e -> e.getKey().startsWith("headers: "))
                .mapToInt(Map.Entry::getValue).sum();
        if (headers >= 100) assertTrue(OUTCOMES.getOrDefault("headers: accepted", 0) >= headers / 10,
                "only " + OUTCOMES.getOrDefault("headers: accepted", 0) + " of " + headers + " random headers accepted");
    }

    // ---------------------------------------------------------------- random headers

    /** A header text and the size of the data section it is checked against. */
    record HeaderCase(String json, long dataBytes) {}

    /** One generated entry: name, dtype JSON, shape JSON and its byte size when valid (-1 otherwise). */
    record EntrySpec(String name, String dtypeJson, String shapeJson, long bytes, int offsetNoise) {}

    private static final String[] BAD_DTYPES = {"\"F8_E4M3\"", "\"f32\"", "\"\"", "\"I128\"", "3", "null", "[\"F32\"]", "{}"};
    private static final String[] BAD_DIMS = {"-1", "1.5", "2.0", "\"3\"", "null", "true", "9223372036854775807",
            "4294967296", "99999999999999999999"};
    private static final String[] METAS = {"", "", "", "", "", ",\"__metadata__\":{\"format\":\"pt\"}",
            ",\"__metadata__\":{\"n\":1}", ",\"__metadata__\":null", ",\"__metadata__\":[]"};
    private static final String NAME_CHARS = "wab._\"\\é\u0000 0{}";
    private static final String NOISE_CHARS = "{}[]\":,-.0123456789eE aFIUBOL_dtypshaeofs";

    /** A random header: 4 in 5 structured (up to 5 entries, mostly valid), 1 in 5 noise from JSON-ish characters. */
    static HeaderCase header(SeededCases.Case c) {
        SplittableRandom r = c.random();
        if (c.intIn("noise", 0, 4) == 0) return new HeaderCase(string(r, NOISE_CHARS, 80), r.nextLong(65));
        List<EntrySpec> specs = new ArrayList<>();
        for (int i = c.intIn("entries", 0, 5); i > 0; i--) specs.add(entrySpec(r));
        boolean sequential = r.nextInt(3) > 0;
        int sizeNoise = r.nextInt(4) > 0 ? 0 : r.nextInt(7) - 3;
        return build(specs, sequential, sizeNoise, METAS[r.nextInt(METAS.length)]);
    }

    private static String string(SplittableRandom r, String chars, int maxLength) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(maxLength + 1); i > 0; i--) b.append(chars.charAt(r.nextInt(chars.length())));
        return b.toString();
    }

    private static EntrySpec entrySpec(SplittableRandom r) {
        String[] fixed = {"w", "a.b", "__metadata__", "", "é\u0000"};
        String name = r.nextBoolean() ? string(r, NAME_CHARS, 6) : fixed[r.nextInt(fixed.length)];
        DType[] all = DType.values();
        String dtype = r.nextInt(5) > 0 ? "\"" + all[r.nextInt(all.length)].safetensorsName() + "\""
                : BAD_DTYPES[r.nextInt(BAD_DTYPES.length)];
        List<String> shape = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--)
            shape.add(r.nextBoolean() ? String.valueOf(r.nextLong(7)) : BAD_DIMS[r.nextInt(BAD_DIMS.length)]);
        int[] noises = {-2, -1, 0, 0, 0, 0, 1, 2}; // mostly 0, like a narrow Gaussian
        int noise = noises[r.nextInt(noises.length)];
        String shapeJson = r.nextInt(10) > 0 ? "[" + String.join(",", shape) + "]" : "\"[2]\"";
        return new EntrySpec(name, dtype, shapeJson, bytesOf(dtype, shape), noise);
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

    private static final Map<String, Integer> OUTCOMES = new java.util.TreeMap<>();

    private static synchronized void outcome(String property, Object what) {
        OUTCOMES.merge(property + ": " + what, 1, Integer::sum);
    }

    static LongStream headerSeeds() { return SeededCases.seeds("safetensors-headers", 400); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("headerSeeds")
    void randomHeadersParseConsistentlyOrThrowTyped(long seed) {
        SeededCases.Case c = SeededCases.of(seed);
        HeaderCase h = header(c);
        Path nominal = dir.resolve("random-header.safetensors");
        try {
            SafetensorsHeader parsed = SafetensorsHeader.parse(nominal, h.json().getBytes(StandardCharsets.UTF_8),
                    h.dataBytes());
            assertConsistent(parsed.tensors(), h.dataBytes(), c + " " + h.json());
            outcome("headers", "accepted");
        } catch (SafetensorsException e) {
            outcome("headers", e.kind());
            if (!e.getMessage().startsWith(nominal + ": "))
                throw new AssertionError(c + ": message must name the file: " + e);
        }
    }

    // ---------------------------------------------------------------- mutated files

    enum Mutation { FLIP_BYTES, FLIP_HEADER_BYTES, FLIP_DATA_BYTES, TRUNCATE, HEADER_LENGTH, APPEND }

    /** A mutation and its random parameters: positions/values drawn from {@code seeds}. */
    record MutationCase(Mutation kind, List<Integer> seeds) {
        @Override
        public String toString() { return kind + " " + seeds; }
    }

    static MutationCase mutation(SeededCases.Case c) {
        Mutation kind = c.pick("mutation", Mutation.values());
        List<Integer> seeds = new ArrayList<>();
        for (int i = c.intIn("positions", 1, 6); i > 0; i--) seeds.add(c.random().nextInt(Integer.MAX_VALUE));
        return new MutationCase(kind, seeds);
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

    static LongStream mutationSeeds() { return SeededCases.seeds("safetensors-mutations", 400); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("mutationSeeds")
    void mutatedFilesOpenConsistentlyOrThrowTyped(long seed) throws IOException {
        SeededCases.Case c = SeededCases.of(seed);
        MutationCase m = mutation(c);
        Path f = dir.resolve("mutated.safetensors");
        Files.write(f, mutate(m));
        try (SafetensorsFile sf = SafetensorsFile.open(f); Scope s = Scope.open()) {
            assertConsistent(sf.infos(), sf.dataBytes(), c + " " + m);
            outcome("mutations", "accepted");
            for (String name : sf.names()) {
                try {
                    Tensor t = sf.tensor(name); // libtorch copies what the header accepted: must not crash
                    if (t.nbytes() != sf.info(name).byteLength()) throw new AssertionError(c + ": " + name + " read back "
                            + t.nbytes() + " bytes");
                } catch (SafetensorsException e) {
                    if (e.kind() != SafetensorsException.Kind.BAD_VALUE) throw e; // a flipped BOOL byte
                }
            }
        } catch (SafetensorsException e) {
            outcome("mutations", e.kind());
            if (!e.getMessage().startsWith(f + ": ")) throw new AssertionError(c + ": message must name the file: " + e);
            if (m.kind() == Mutation.FLIP_DATA_BYTES) throw new AssertionError(c + ": only values changed, the header is"
                    + " intact, yet the file was refused: " + e);
        }
    }

    @Test
    void unmutatedFileAlwaysOpens() throws IOException {
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
