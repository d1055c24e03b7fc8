package dev.frugal.tensor;

import dev.frugal.InvalidSettingException;
import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Element types frugal reads, stores and computes in. The names are the ones safetensors uses; {@link #bytes()} is
 * the element size on disk and in memory.
 */
public enum DType {
    F32("F32", 4, ScalarType.Float, true),
    F16("F16", 2, ScalarType.Half, true),
    BF16("BF16", 2, ScalarType.BFloat16, true),
    F64("F64", 8, ScalarType.Double, true),
    I64("I64", 8, ScalarType.Long, false),
    I32("I32", 4, ScalarType.Int, false),
    I16("I16", 2, ScalarType.Short, false),
    I8("I8", 1, ScalarType.Char, false),
    U8("U8", 1, ScalarType.Byte, false),
    BOOL("BOOL", 1, ScalarType.Bool, false);

    private final String safetensorsName;
    private final int bytes;
    private final ScalarType scalarType;
    private final boolean floating;

    DType(String safetensorsName, int bytes, ScalarType scalarType, boolean floating) {
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
        this.scalarType = scalarType;
        this.floating = floating;
    }

    /** The dtype string in a safetensors header, e.g. {@code "BF16"}. */
    public String safetensorsName() { return safetensorsName; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /** True for F32, F16, BF16 and F64. */
    public boolean isFloating() { return floating; }

    ScalarType scalarType() { return scalarType; }

    /** The dtype of a safetensors header string, or empty when frugal does not know it. */
    public static java.util.Optional<DType> fromSafetensors(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return java.util.Optional.of(d);
        return java.util.Optional.empty();
    }

    /**
     * Parses a user-facing name: {@code fp32|float32|f32}, {@code bf16|bfloat16}, {@code fp16|float16|half|f16}, ...
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static DType parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "f32", "float" -> F32;
            case "fp16", "float16", "f16", "half" -> F16;
            case "bf16", "bfloat16" -> BF16;
            case "fp64", "float64", "f64", "double" -> F64;
            case "i64", "int64", "long" -> I64;
            case "i32", "int32", "int" -> I32;
            case "i16", "int16" -> I16;
            case "i8", "int8" -> I8;
            case "u8", "uint8" -> U8;
            case "bool" -> BOOL;
            default -> throw new InvalidSettingException("dtype", "'" + name + "' is unknown"
                    + "': use one of fp32, bf16, fp16, fp64, int64, int32, int16, int8, uint8, bool");
        };
    }

    static DType of(ScalarType nativeType) {
        ScalarType st = nativeType.intern(); // enums from native code are not the Java constants
        for (DType d : values()) if (d.scalarType == st) return d;
        throw new IllegalStateException("libtorch dtype " + nativeType + " has no frugal DType");
    }
}
