package dev.frugal.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.frugal.model.ConfigException;
import dev.frugal.model.HfConfig;

/**
 * Rotary position embedding settings (Su et al., "RoFormer", arXiv 2104.09864) as Hugging Face configs state them.
 *
 * <p>Transformers 5 writes {@code "rope_parameters": {"rope_theta": θ, "rope_type": "default"}}; older configs carry a
 * top-level {@code rope_theta} and an optional {@code rope_scaling} object ({@code {"type" | "rope_type": ...,
 * "factor": ...}}). Both layouts are read; only the {@code default} and {@code linear} types are implemented.
 *
 * @param theta  the base θ of the frequencies {@code θ^(-2i/d)}
 * @param type   how the frequencies are scaled
 * @param factor the linear scaling factor (positions divided by it); 1 for {@link RopeType#DEFAULT}
 */
public record RopeConfig(double theta, RopeType type, double factor) {
    /** Transformers' default θ when a config names none. */
    public static final double DEFAULT_THETA = 10_000.0;

    /** The RoPE variants frugal implements. */
    public enum RopeType {
        /** The original RoPE. */
        DEFAULT,
        /** Position interpolation (Chen et al., arXiv 2306.15595): inverse frequencies divided by {@code factor}. */
        LINEAR
    }

    public RopeConfig {
        if (!(theta > 0) || Double.isInfinite(theta)) throw new IllegalArgumentException("rope theta must be positive, got " + theta);
        if (!(factor > 0) || Double.isInfinite(factor))
            throw new IllegalArgumentException("rope scaling factor must be positive, got " + factor);
        if (type == RopeType.DEFAULT && factor != 1.0)
            throw new IllegalArgumentException("rope_type default takes no scaling factor, got " + factor);
    }

    /** Plain RoPE with base {@code theta}. */
    public static RopeConfig plain(double theta) { return new RopeConfig(theta, RopeType.DEFAULT, 1.0); }

    /**
     * Reads {@code rope_parameters} (transformers 5) or the legacy top-level {@code rope_theta} / {@code rope_scaling}.
     *
     * @throws ConfigException for an unsupported {@code rope_type} or a malformed field
     */
    public static RopeConfig from(HfConfig c) {
        JsonNode params = c.optObject("rope_parameters");
        if (params == null) params = c.optObject("rope_scaling"); // legacy: scaling only, theta at top level
        double theta = c.optDouble("rope_theta", DEFAULT_THETA);
        if (params != null && params.hasNonNull("rope_theta")) theta = number(c, params, "rope_theta");
        String typeName = "default";
        if (params != null) {
            JsonNode t = params.hasNonNull("rope_type") ? params.get("rope_type") : params.get("type");
            if (t != null && !t.isNull()) {
                if (!t.isTextual()) throw new ConfigException(c.file(), "rope_type must be a string, got " + t);
                typeName = t.asText();
            }
        }
        c.check(theta > 0 && !Double.isInfinite(theta), "rope_theta must be a positive number, got " + theta);
        return switch (typeName) {
            case "default" -> plain(theta);
            case "linear" -> {
                if (params == null || !params.hasNonNull("factor"))
                    throw new ConfigException(c.file(), "rope_type 'linear' needs a 'factor' in rope_parameters");
                double f = number(c, params, "factor");
                c.check(f > 0 && !Double.isInfinite(f), "rope scaling 'factor' must be positive, got " + f);
                yield new RopeConfig(theta, RopeType.LINEAR, f);
            }
            default -> throw new ConfigException(c.file(), "rope_type '" + typeName + "' is not supported: frugal"
                    + " implements 'default' and 'linear' RoPE only; use a checkpoint with one of those");
        };
    }

    private static double number(HfConfig c, JsonNode obj, String field) {
        JsonNode v = obj.get(field);
        if (!v.isNumber()) throw new ConfigException(c.file(), "rope field '" + field + "' must be a number, got " + v);
        return v.asDouble();
    }
}
