package dev.frugal.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsException.Kind;
import dev.frugal.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file, parsed and validated against the size of the data section that follows it.
 * Every rule is checked here, before any byte reaches libtorch:
 * <ol>
 *   <li>the header is UTF-8, one JSON object, no duplicate keys, nothing after it but padding spaces;</li>
 *   <li>each tensor entry has a known {@code dtype} string, a {@code shape} of non-negative integers, and
 *       {@code data_offsets [begin, end]} of integers with {@code 0 ≤ begin ≤ end};</li>
 *   <li>numel(shape) × dtype size = end − begin, computed without overflow;</li>
 *   <li>the byte ranges tile the data section exactly: no overlaps, no holes, nothing after the last tensor, and
 *       nothing past the end of the file (that is a truncated file);</li>
 *   <li>{@code __metadata__}, when present, is an object of strings.</li>
 * </ol>
 *
 * @param tensors  name → entry, in header order
 * @param metadata the {@code __metadata__} strings, in header order (empty when absent)
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    SafetensorsHeader {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses {@code json} (the header bytes) and validates it against a data section of {@code dataBytes} bytes.
     *
     * @throws SafetensorsException naming {@code file}, the tensor and the broken rule
     */
    static SafetensorsHeader parse(Path file, byte[] json, long dataBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, Kind.HEADER_JSON, "header is not valid UTF-8: not a safetensors file"
                    + " or corrupt");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new SafetensorsException(file, Kind.HEADER_JSON, "header is not valid JSON ("
                    + e.getOriginalMessage() + "): not a safetensors file or corrupt");
        }
        if (root == null || !root.isObject())
            throw new SafetensorsException(file, Kind.HEADER_JSON, "header is JSON but not an object"
                    + " {\"name\": {\"dtype\", \"shape\", \"data_offsets\"}, ...}: not a safetensors file");
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) parseMetadata(file, e.getValue(), metadata);
            else tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue()));
        }
        checkLayout(file, tensors.values(), dataBytes);
        return new SafetensorsHeader(tensors, metadata);
    }

    private static void parseMetadata(Path file, JsonNode v, Map<String, String> out) {
        if (v.isNull()) return;
        if (!v.isObject()) throw new SafetensorsException(file, Kind.MALFORMED_ENTRY, METADATA_KEY
                + " must be an object of strings, got " + abbreviate(v));
        for (Map.Entry<String, JsonNode> m : v.properties()) {
            if (!m.getValue().isTextual()) throw new SafetensorsException(file, Kind.MALFORMED_ENTRY, METADATA_KEY
                    + " value of '" + abbreviate(m.getKey()) + "' must be a string, got " + abbreviate(m.getValue()));
            out.put(m.getKey(), m.getValue().asText());
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v) {
        String shown = abbreviate(name);
        if (!v.isObject()) throw malformed(file, name, "is not an object {dtype, shape, data_offsets}: "
                + abbreviate(v));
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw malformed(file, name, "has no \"dtype\" string");
        DType dtype = DType.fromSafetensors(dt.asText()).orElseThrow(() -> new SafetensorsException(file,
                Kind.UNKNOWN_DTYPE, "tensor '" + shown + "' has unknown dtype '" + abbreviate(dt.asText())
                + "' (frugal reads F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL): convert it with safetensors in"
                + " Python first"));
        if (sh == null || !sh.isArray()) throw malformed(file, name, "has no \"shape\" array");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0)
                throw new SafetensorsException(file, Kind.BAD_SHAPE, "tensor '" + shown + "' has dimension "
                        + abbreviate(d) + " at index " + i + " of its shape: dimensions are integers ≥ 0");
            shape[i] = d.asLong();
        }
        long byteLength = byteLength(shape, dtype);
        if (byteLength < 0) throw new SafetensorsException(file, Kind.BAD_SHAPE, "tensor '" + shown + "' has shape "
                + abbreviate(Arrays.toString(shape)) + " whose byte count as " + dtype + " overflows 63 bits: corrupt"
                + " header");
        if (off == null || !off.isArray() || off.size() != 2)
            throw malformed(file, name, "needs \"data_offsets\": [begin, end]");
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = off.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong())
                throw new SafetensorsException(file, Kind.OFFSETS_OUT_OF_RANGE, "tensor '" + shown + "' has"
                        + " data_offsets entry " + abbreviate(o) + ": offsets are integers in [0, 2^63)");
            be[i] = o.asLong();
        }
        if (be[0] < 0 || be[1] < be[0])
            throw new SafetensorsException(file, Kind.OFFSETS_OUT_OF_RANGE, "tensor '" + shown + "' has data_offsets ["
                    + be[0] + ", " + be[1] + "]: need 0 ≤ begin ≤ end");
        if (be[1] - be[0] != byteLength)
            throw new SafetensorsException(file, Kind.SIZE_MISMATCH, "tensor '" + shown + "': shape "
                    + abbreviate(Arrays.toString(shape)) + " × " + dtype + " (" + dtype.bytes() + " bytes each) = "
                    + byteLength + " bytes, but data_offsets [" + be[0] + ", " + be[1] + "] hold " + (be[1] - be[0]));
        return new TensorInfo(name, dtype, shape, be[0], be[1]);
    }

    /** numel(shape) × dtype size, or -1 when it overflows a long. */
    static long byteLength(long[] shape, DType dtype) {
        long n = dtype.bytes();
        for (long d : shape) {
            if (d < 0) return -1;
            long hi = Math.multiplyHigh(n, d);
            if (hi != 0 || n * d < 0) return -1;
            n *= d;
        }
        return n;
    }

    /**
     * The byte ranges must tile [0, dataBytes): sorted by begin, each starts where the previous ended. A tiling that
     * runs past the data section means the file was cut short; a range past it amid other faults is out of range.
     */
    private static void checkLayout(Path file, Collection<TensorInfo> entries, long dataBytes) {
        List<TensorInfo> byStart = new ArrayList<>(entries);
        byStart.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        SafetensorsException fault = null;
        TensorInfo beyond = null, previous = null;
        long pos = 0;
        for (TensorInfo i : byStart) {
            if (beyond == null && i.end() > dataBytes) beyond = i;
            if (fault == null && i.begin() < pos) fault = new SafetensorsException(file, Kind.OVERLAP, "tensor "
                    + quoted(i) + " (bytes " + i.begin() + ".." + i.end() + ") overlaps tensor " + quoted(previous)
                    + " (bytes " + previous.begin() + ".." + previous.end() + "): corrupt header");
            if (fault == null && i.begin() > pos) fault = new SafetensorsException(file, Kind.HOLE, "hole of "
                    + (i.begin() - pos) + " bytes (" + pos + ".." + i.begin() + ") before tensor " + quoted(i)
                    + " in the data section: corrupt header");
            if (i.end() >= pos) {
                pos = i.end();
                previous = i;
            }
        }
        if (beyond != null && fault == null)
            throw new SafetensorsException(file, Kind.TRUNCATED, "the header's tensors need " + pos + " data bytes"
                    + " but the file holds " + dataBytes + " after its header (tensor " + quoted(beyond) + " ends at "
                    + beyond.end() + "): the file is truncated, download or copy it again");
        if (beyond != null)
            throw new SafetensorsException(file, Kind.OFFSETS_OUT_OF_RANGE, "tensor " + quoted(beyond)
                    + " has data_offsets [" + beyond.begin() + ", " + beyond.end() + "] outside the data section of "
                    + dataBytes + " bytes: corrupt header");
        if (fault != null) throw fault;
        if (pos < dataBytes)
            throw new SafetensorsException(file, Kind.HOLE, (dataBytes - pos) + " bytes after the last tensor (the"
                    + " tensors cover " + pos + " of " + dataBytes + " data bytes): trailing garbage or a corrupt"
                    + " header");
    }

    /**
     * The header bytes for {@code entries} (offsets already assigned) and {@code metadata}, padded with spaces so that
     * the data section starts 8-byte aligned.
     */
    static byte[] encode(Collection<TensorInfo> entries, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA_KEY);
            metadata.forEach(m::put);
        }
        for (TensorInfo i : entries) {
            ObjectNode n = header.putObject(i.name());
            n.put("dtype", i.dtype().safetensorsName());
            var shape = n.putArray("shape");
            for (long d : i.shape()) shape.add(d);
            n.putArray("data_offsets").add(i.begin()).add(i.end());
        }
        byte[] raw = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (int) ((raw.length + 7L) / 8 * 8); // 8 + padded is a multiple of 8
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static SafetensorsException malformed(Path file, String name, String problem) {
        return new SafetensorsException(file, Kind.MALFORMED_ENTRY, "tensor '" + abbreviate(name) + "' " + problem);
    }

    private static String quoted(TensorInfo i) { return "'" + abbreviate(i.name()) + "'"; }

    /** A JSON value or string cut to 80 characters for messages (headers can be huge). */
    private static String abbreviate(Object v) {
        String s = String.valueOf(v);
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
