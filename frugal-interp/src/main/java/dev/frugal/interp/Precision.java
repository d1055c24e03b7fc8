package dev.frugal.interp;

/**
 * How the components that are not under investigation compute during an edge test (PAHQ, Wang et al. 2025): the
 * investigated component (every head, MLP or output whose input an edge test patches) always runs in float32.
 */
public enum Precision {
    /** Everything float32: plain ACDC. */
    FP32,
    /**
     * Other components from int8 weights (per-output-channel symmetric scales) through fbgemm's dynamic-quantization
     * linear; activations are quantized per call.
     */
    INT8,
    /** Other components from bfloat16-stored weights, up-cast to float32 for each product (this CPU has no bf16 GEMM). */
    BF16;

    /** Parses {@code fp32}, {@code int8}, {@code bf16}, or {@code pahq} (= INT8). */
    public static Precision parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "fp32", "float32" -> FP32;
            case "int8", "pahq" -> INT8;
            case "bf16", "pahq-bf16" -> BF16;
            default -> throw new IllegalArgumentException("precision '" + s + "' is not one of fp32, pahq (int8), bf16");
        };
    }
}
