package dev.frugal.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One ONNX tensor: a graph initializer or the value of a {@code Constant} node.
 *
 * @param name              tensor name as it appears in node inputs (may be anonymous, e.g. {@code onnx::MatMul_1234})
 * @param type              element type
 * @param dims              shape, outermost first; empty for a scalar
 * @param littleEndianData  the elements in ONNX {@code raw_data} layout (row-major, little-endian); read-only,
 *                          position 0, {@code numel * type.byteSize()} bytes
 */
public record OnnxInitializer(String name, OnnxDataType type, long[] dims, ByteBuffer littleEndianData) {

    public OnnxInitializer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(littleEndianData, "littleEndianData");
        dims = dims.clone();
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: "
                        + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        if (type.byteSize() > 0 && littleEndianData.remaining() != n * type.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(dims) + " and type "
                    + type + " needs " + n * type.byteSize() + " bytes but has " + littleEndianData.remaining());
        }
        littleEndianData = littleEndianData.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Shape copy, outermost first. */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** The elements as floats; only for {@link OnnxDataType#FLOAT}. */
    public float[] toFloats() {
        requireType(OnnxDataType.FLOAT);
        float[] out = new float[Math.toIntExact(numel())];
        littleEndianData.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** The elements as longs; for {@link OnnxDataType#INT64} and {@link OnnxDataType#INT32} (widened). */
    public long[] toLongs() {
        ByteBuffer b = littleEndianData.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[Math.toIntExact(numel())];
        switch (type) {
            case INT64 -> b.asLongBuffer().get(out);
            case INT32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            default -> throw new IllegalStateException("tensor '" + name + "' is " + type + ", not an integer tensor");
        }
        return out;
    }

    /** The only element of a one-element float tensor (a scalar constant such as a LayerNorm epsilon). */
    public float scalarFloat() {
        requireType(OnnxDataType.FLOAT);
        if (numel() != 1) {
            throw new IllegalStateException("tensor '" + name + "' has " + numel() + " elements, not 1");
        }
        return littleEndianData.getFloat(0);
    }

    private void requireType(OnnxDataType expected) {
        if (type != expected) {
            throw new IllegalStateException("tensor '" + name + "' is " + type + ", not " + expected);
        }
    }

    @Override
    public String toString() {
        return "OnnxInitializer[" + name + " " + type + " " + Arrays.toString(dims) + "]";
    }
}
