package dev.frugal.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.io.FrugalIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model's own decoding defaults: the fields of Hugging Face's {@code generation_config.json} that frugal's
 * {@link GenerationConfig} has. As in {@code transformers}, a field the file leaves out takes the library default:
 * {@code do_sample} false (greedy), temperature 1.0, top-k 50, top-p 1.0.
 *
 * @param doSample     sample (true) or decode greedily (false)
 * @param temperature  sampling temperature (> 0)
 * @param topK         top-k filter (0 = off)
 * @param topP         nucleus mass in (0, 1]
 */
public record GenerationDefaults(boolean doSample, double temperature, int topK, double topP) {
    /** The file name in a model directory. */
    public static final String FILE = "generation_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** transformers' defaults when a model has no generation config: greedy. */
    public static final GenerationDefaults TRANSFORMERS = new GenerationDefaults(false, 1.0, 50, 1.0);

    /**
     * Reads {@code dir/generation_config.json}, or empty when the model has none.
     *
     * @throws FrugalIoException naming the file when it is not a JSON object or a field has the wrong type
     */
    public static Optional<GenerationDefaults> read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return Optional.empty();
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new FrugalIoException(f + ": not readable JSON (" + e.getMessage() + "); fix or delete it", e);
        }
        if (n == null || !n.isObject()) throw new FrugalIoException(f + ": not a JSON object; fix or delete it");
        GenerationDefaults d = TRANSFORMERS;
        return Optional.of(new GenerationDefaults(
                bool(n, f, "do_sample", d.doSample()), number(n, f, "temperature", d.temperature()),
                (int) number(n, f, "top_k", d.topK()), number(n, f, "top_p", d.topP())));
    }

    private static boolean bool(JsonNode n, Path f, String field, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new FrugalIoException(f + ": " + field + " must be true or false, got " + v);
        return v.asBoolean();
    }

    private static double number(JsonNode n, Path f, String field, double dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new FrugalIoException(f + ": " + field + " must be a number, got " + v);
        return v.asDouble();
    }
}
