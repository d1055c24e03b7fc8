package dev.frugal.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code model.safetensors.index.json}:
 * {@code {"metadata": {"total_size": N}, "weight_map": {"name": "model-00001-of-00002.safetensors", ...}}}.
 *
 * @param weightMap tensor name → shard file name (a plain file name inside the model directory)
 * @param metadata  the index's metadata as strings (e.g. total_size)
 */
public record ShardIndex(Map<String, String> weightMap, Map<String, String> metadata) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public ShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        for (Map.Entry<String, String> e : weightMap.entrySet())
            if (!isPlainFileName(e.getValue())) throw new IllegalArgumentException("weight_map entry '" + e.getKey()
                    + "' -> '" + e.getValue() + "' is not a file name inside the model directory");
    }

    /**
     * Reads and checks an index file.
     *
     * @throws SafetensorsException ({@link Kind#BAD_INDEX}) naming the index and the problem
     */
    public static ShardIndex read(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (JacksonException e) {
            throw new SafetensorsException(index, Kind.BAD_INDEX, "shard index is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SafetensorsException(index, "cannot read the shard index: " + e, e);
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(index, Kind.BAD_INDEX, "shard index is"
                + " not a JSON object");
        JsonNode wm = root.get("weight_map");
        if (wm == null || !wm.isObject()) throw new SafetensorsException(index, Kind.BAD_INDEX, "shard index has no"
                + " \"weight_map\" object");
        if (wm.isEmpty()) throw new SafetensorsException(index, Kind.BAD_INDEX, "shard index has an empty weight_map");
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : wm.properties()) {
            if (!e.getValue().isTextual()) throw new SafetensorsException(index, Kind.BAD_INDEX, "weight_map entry '"
                    + e.getKey() + "' is not a file name string: " + e.getValue());
            String f = e.getValue().asText();
            if (!isPlainFileName(f)) throw new SafetensorsException(index, Kind.BAD_INDEX, "weight_map entry '"
                    + e.getKey() + "' names '" + f + "', which is not a file inside the model directory");
            map.put(e.getKey(), f);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        JsonNode m = root.get("metadata");
        if (m != null && m.isObject())
            for (Map.Entry<String, JsonNode> e : m.properties())
                if (e.getValue().isValueNode()) meta.put(e.getKey(), e.getValue().asText());
        return new ShardIndex(map, meta);
    }

    /** The distinct shard files, in first-mention order. */
    public List<Path> shardFiles() {
        List<Path> out = new ArrayList<>();
        for (String f : new LinkedHashSet<>(weightMap.values())) out.add(Path.of(f));
        return out;
    }

    /** The names the index places in {@code shard}, in index order. */
    public List<String> namesIn(String shard) {
        return weightMap.entrySet().stream().filter(e -> e.getValue().equals(shard)).map(Map.Entry::getKey).toList();
    }

    /** The index as JSON, as Hugging Face writes it ({@code total_size} as a number). */
    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putObject("metadata");
        metadata.forEach((k, v) -> {
            if (k.equals("total_size") && v.matches("\\d{1,18}")) m.put(k, Long.parseLong(v));
            else m.put(k, v);
        });
        ObjectNode w = root.putObject("weight_map");
        weightMap.forEach(w::put);
        try {
            return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static boolean isPlainFileName(String f) {
        return !f.isEmpty() && !f.equals(".") && !f.equals("..") && f.indexOf('/') < 0 && f.indexOf('\\') < 0
                && f.indexOf('\0') < 0;
    }
}
