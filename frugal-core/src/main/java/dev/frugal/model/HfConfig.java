package dev.frugal.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A Hugging Face {@code config.json} with typed field access; every error names the file and the field. Config
 * records are built from it and keep it, so that saving a model writes the same JSON back.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final ObjectNode root;

    private HfConfig(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /** Reads {@code dir/config.json} (or the file itself when {@code path} is a file). */
    public static HfConfig read(Path path) {
        Path f = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(f)) throw new ConfigException(f, "no config.json: is this a Hugging Face model directory?");
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new ConfigException(f, "not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) throw new ConfigException(f, "not a JSON object");
        return new HfConfig(f, (ObjectNode) n);
    }

    /** A config from an in-memory JSON object (e.g. built by frugal for a random-weight model). */
    public static HfConfig of(ObjectNode root, Path nominalFile) { return new HfConfig(nominalFile, root.deepCopy()); }

    public Path file() { return file; }

    /** A copy of the JSON. */
    public ObjectNode json() { return root.deepCopy(); }

    /** Writes the JSON to {@code dir/config.json}. */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), root);
    }

    public boolean has(String field) { return root.hasNonNull(field); }

    public String modelType() { return requireString("model_type"); }

    public String requireString(String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) throw missing(field);
        if (!v.isTextual()) throw wrongType(field, "a string", v);
        return v.asText();
    }

    public String optString(String field, String dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual()) throw wrongType(field, "a string", v);
        return v.asText();
    }

    public int requireInt(String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) throw missing(field);
        return toInt(field, v);
    }

    public int optInt(String field, int dflt) {
        JsonNode v = root.get(field);
        return v == null || v.isNull() ? dflt : toInt(field, v);
    }

    /** An integer id that may be absent or null (e.g. {@code pad_token_id}); a list takes its first element. */
    public OptionalLong optId(String field) {
        JsonNode v = root.get(field);
        if (v != null && v.isArray() && !v.isEmpty()) v = v.get(0);
        if (v == null || v.isNull()) return OptionalLong.empty();
        if (!v.isIntegralNumber()) throw wrongType(field, "an integer", v);
        return OptionalLong.of(v.asLong());
    }

    public double requireDouble(String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) throw missing(field);
        if (!v.isNumber()) throw wrongType(field, "a number", v);
        return v.asDouble();
    }

    public double optDouble(String field, double dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw wrongType(field, "a number", v);
        return v.asDouble();
    }

    public boolean optBool(String field, boolean dflt) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw wrongType(field, "true or false", v);
        return v.asBoolean();
    }

    /** A nested object field, or null. */
    public JsonNode optObject(String field) {
        JsonNode v = root.get(field);
        return v != null && v.isObject() ? v : null;
    }

    /** Fails with a message naming this file when {@code ok} is false. */
    public void check(boolean ok, String problem) {
        if (!ok) throw new ConfigException(file, problem);
    }

    /** Requires {@code field} to be a positive integer. */
    public int requirePositive(String field) {
        int v = requireInt(field);
        if (v <= 0) throw new ConfigException(file, "'" + field + "' must be positive, got " + v);
        return v;
    }

    private int toInt(String field, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw wrongType(field, "an integer", v);
        return v.asInt();
    }

    private ConfigException missing(String field) {
        return new ConfigException(file, "required field '" + field + "' is missing");
    }

    private ConfigException wrongType(String field, String expected, JsonNode v) {
        return new ConfigException(file, "field '" + field + "' must be " + expected + ", got " + v);
    }
}
