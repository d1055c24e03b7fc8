package dev.frugal.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;

/**
 * A Hugging Face {@code config.json} with typed field access; every error names the file and the field. Config
 * records are built from it and keep it, so that saving a model writes the same JSON back.
 */
public final class HfConfig {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Path file;
    private final ObjectNode root;

    private HfConfig(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /**
     * Reads {@code dir/config.json} (or the file itself when {@code path} is a file).
     *
     * @throws ConfigException naming the file when it is missing, unreadable, not strict JSON (duplicate keys and
     *                         trailing content are refused), or not an object
     */
    public static HfConfig read(Path path) {
        Path f = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (Files.isDirectory(f)) throw new ConfigException(f, "is a directory, not a file: config.json must be the"
                + " model's JSON configuration");
        if (!Files.isRegularFile(f)) throw new ConfigException(f, "no config.json: is this a Hugging Face model directory?");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new ConfigException(f, "cannot read: " + e);
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new ConfigException(f, "not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(f, "cannot read: " + e);
        }
        if (n == null || !n.isObject()) throw new ConfigException(f, "not a JSON object {\"model_type\": ..., ...}");
        return new HfConfig(f, (ObjectNode) n);
    }

    /** A config from an in-memory JSON object (e.g. built by frugal for a random-weight model). */
    public static HfConfig of(ObjectNode root, Path nominalFile) { return new HfConfig(nominalFile, root.deepCopy()); }

    public Path file() { return file; }

    /** A copy of the JSON. */
    public ObjectNode json() { return root.deepCopy(); }

    /**
     * Writes the JSON to {@code dir/config.json} atomically (a temporary file in {@code dir}, renamed over the target),
     * so a crash never leaves a half-written config next to the weights.
     */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve("config.json");
        Path tmp = Files.createTempFile(dir, ".config.json", ".tmp");
        try {
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not POSIX: default permissions
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
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

    /** A nested object field, or null when absent or null. */
    public JsonNode optObject(String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw wrongType(field, "an object", v);
        return v;
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
        if (!v.isIntegralNumber()) throw wrongType(field, "an integer", v);
        if (!v.canConvertToInt()) throw new ConfigException(file, "field '" + field + "' = " + v + " does not fit a 32-bit"
                + " integer");
        return v.asInt();
    }

    private ConfigException missing(String field) {
        return new ConfigException(file, "required field '" + field + "' is missing: add it (the model's Hugging Face"
                + " config.json has it) or check that this is the right directory");
    }

    private ConfigException wrongType(String field, String expected, JsonNode v) {
        return new ConfigException(file, "field '" + field + "' must be " + expected + ", got " + v);
    }
}
