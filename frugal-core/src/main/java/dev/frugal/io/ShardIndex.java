package dev.frugal.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code model.safetensors.index.json}: {@code {"metadata": {...}, "weight_map": {"name": "model-00001-of-00002.safetensors"}}}.
 *
 * @param weightMap tensor name → shard file name
 * @param metadata  the index's metadata (e.g. total_size)
 */
public record ShardIndex(Map<String, String> weightMap, Map<String, String> metadata) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and checks an index file. */
    public static ShardIndex read(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new SafetensorsException(index, "cannot parse the shard index: " + e.getMessage(), e);
        }
        JsonNode wm = root == null ? null : root.get("weight_map");
        if (wm == null || !wm.isObject()) throw new SafetensorsException(index, "shard index has no weight_map object");
        Map<String, String> map = new LinkedHashMap<>();
        wm.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) throw new SafetensorsException(index, "weight_map entry '" + e.getKey()
                    + "' is not a file name");
            String f = e.getValue().asText();
            if (f.contains("/") || f.contains("\\") || f.equals("..")) throw new SafetensorsException(index,
                    "weight_map entry '" + e.getKey() + "' points outside the model directory: " + f);
            map.put(e.getKey(), f);
        });
        Map<String, String> meta = new LinkedHashMap<>();
        JsonNode m = root.get("metadata");
        if (m != null && m.isObject()) m.fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
        return new ShardIndex(map, meta);
    }

    /** The distinct shard files, in first-mention order. */
    public List<Path> shardFiles() {
        Set<String> s = new LinkedHashSet<>(weightMap.values());
        List<Path> out = new ArrayList<>();
        for (String f : s) out.add(Path.of(f));
        return out;
    }

    /** Every indexed name must exist in the shards and vice versa. */
    void checkAgainst(Set<String> present, Path index) {
        for (String n : weightMap.keySet())
            if (!present.contains(n)) throw new SafetensorsException(index, "indexes '" + n + "' in " + weightMap.get(n)
                    + " but that shard does not hold it");
        for (String n : present)
            if (!weightMap.containsKey(n)) throw new SafetensorsException(index, "shard tensor '" + n
                    + "' is missing from the weight_map");
    }
}
