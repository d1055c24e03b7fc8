package dev.frugal.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file (any size: FFM segments are not limited to 2 GiB). The header is fully validated
 * when the file is opened — dtype names, shapes, offsets inside the data section, no overlaps or gaps, shape × dtype =
 * byte length — so nothing invalid ever reaches libtorch. Format: u64 little-endian header length N, N bytes of JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, "__metadata__": {..}}}, then the data.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers larger than this are refused (the reference implementation's limit is 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws SafetensorsException naming the file and the problem
     */
    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) throw new SafetensorsException(path, "no such file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new SafetensorsException(path, "truncated: " + size + " bytes, a safetensors file"
                    + " starts with an 8-byte header length");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES)
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is impossible (file is " + size + " bytes): not a safetensors file or corrupt");
            if (8 + headerLen > size)
                throw new SafetensorsException(path, "header length " + headerLen + " runs past the end of the file ("
                        + size + " bytes): the file is truncated");
            byte[] hb = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + headerLen);
            Header h = parseHeader(path, new String(hb, StandardCharsets.UTF_8), data.byteSize());
            return new SafetensorsFile(path, arena, data, h.tensors, h.metadata);
        } catch (IOException e) {
            arena.close();
            throw new SafetensorsException(path, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {}

    /** Parses and validates a header against a data section of {@code dataBytes} bytes. */
    static Header parseHeader(Path path, String json, long dataBytes) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(path, "header is not a JSON object");
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new SafetensorsException(path, "__metadata__ must be an object of strings");
                v.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual())
                        throw new SafetensorsException(path, "__metadata__ value of '" + m.getKey() + "' is not a string");
                    meta.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            out.put(name, parseEntry(path, name, v, dataBytes));
        }
        checkLayout(path, out, dataBytes);
        return new Header(Collections.unmodifiableMap(out), Collections.unmodifiableMap(meta));
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataBytes) {
        if (!v.isObject()) throw new SafetensorsException(path, "entry '" + name + "' is not an object");
        JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new SafetensorsException(path, "tensor '" + name + "' has no dtype string");
        DType dtype = DType.fromSafetensors(dt.asText()).orElseThrow(() -> new SafetensorsException(path,
                "tensor '" + name + "' has unknown dtype '" + dt.asText() + "' (frugal reads F32, F16, BF16, F64, I64,"
                        + " I32, I16, I8, U8, BOOL): convert it with safetensors in Python first"));
        if (sh == null || !sh.isArray()) throw new SafetensorsException(path, "tensor '" + name + "' has no shape array");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0)
                throw new SafetensorsException(path, "tensor '" + name + "' has a bad dimension " + d + " in its shape");
            shape[i] = d.asLong();
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber() || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong())
            throw new SafetensorsException(path, "tensor '" + name + "' needs data_offsets [begin, end]");
        long b = off.get(0).asLong(), e = off.get(1).asLong();
        if (b < 0 || e < b || e > dataBytes)
            throw new SafetensorsException(path, "tensor '" + name + "' has data_offsets [" + b + ", " + e
                    + "] outside the data section of " + dataBytes + " bytes: the file is truncated or corrupt");
        long numel = Tensors.numel(shape);
        if (numel < 0 || Math.multiplyHigh(numel, dtype.bytes()) != 0 || numel * dtype.bytes() != e - b)
            throw new SafetensorsException(path, "tensor '" + name + "': shape " + java.util.Arrays.toString(shape)
                    + " × " + dtype + " (" + dtype.bytes() + " bytes) does not match its " + (e - b) + " data bytes");
        return new TensorInfo(name, dtype, shape, b, e);
    }

    /** Tensors must tile the data section: no overlaps (and, like the reference implementation, no holes). */
    private static void checkLayout(Path path, Map<String, TensorInfo> tensors, long dataBytes) {
        List<TensorInfo> byStart = new ArrayList<>(tensors.values());
        byStart.sort((x, y) -> x.begin() != y.begin() ? Long.compare(x.begin(), y.begin()) : Long.compare(x.end(), y.end()));
        long pos = 0;
        for (TensorInfo i : byStart) {
            if (i.begin() < pos) throw new SafetensorsException(path, "tensor '" + i.name() + "' overlaps the previous tensor"
                    + " (starts at " + i.begin() + ", previous ends at " + pos + "): corrupt header");
            if (i.begin() > pos) throw new SafetensorsException(path, "hole in the data section before tensor '" + i.name()
                    + "' (bytes " + pos + ".." + i.begin() + "): corrupt header");
            pos = i.end();
        }
        if (pos != dataBytes) throw new SafetensorsException(path, "data section has " + dataBytes + " bytes but the"
                + " tensors cover " + pos + ": the file is truncated or has trailing garbage");
    }

    public Path path() { return path; }

    /** Tensor names in header order. */
    public List<String> names() { return List.copyOf(tensors.keySet()); }

    public boolean contains(String name) { return tensors.containsKey(name); }

    /** Header entry of {@code name}. */
    public TensorInfo info(String name) {
        TensorInfo i = tensors.get(name);
        if (i == null) throw new SafetensorsException(path, "has no tensor '" + name + "'");
        return i;
    }

    public Map<String, TensorInfo> infos() { return tensors; }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    /** The raw bytes of {@code name} inside the mapping (valid until {@link #close()}). */
    public MemorySegment bytes(String name) {
        TensorInfo i = info(name);
        return data.asSlice(i.begin(), i.byteLength());
    }

    /** A CPU tensor holding a copy of {@code name} in its stored dtype. */
    public Tensor tensor(String name) {
        TensorInfo i = info(name);
        return Tensors.copyOf(bytes(name), i.dtype(), i.shape());
    }

    /** A CPU tensor holding a copy of {@code name} converted to {@code dtype}. */
    public Tensor tensor(String name, DType dtype) {
        Tensor t = tensor(name);
        return t.dtype() == dtype ? t : t.to(dtype);
    }

    @Override
    public void close() { arena.close(); }
}
