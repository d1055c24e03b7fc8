package dev.frugal.onnx;

import java.util.Arrays;

/**
 * A float32 parameter ready for a Hugging Face checkpoint: row-major values and their shape.
 *
 * @param shape outermost first, e.g. {@code (out, in)} for a Linear weight
 * @param data  {@code prod(shape)} values, row-major
 */
public record WeightTensor(long[] shape, float[] data) {

    public WeightTensor {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
    }

    /** Shape copy. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of values. */
    public int numel() {
        return data.length;
    }

    @Override
    public String toString() {
        return "WeightTensor" + Arrays.toString(shape);
    }
}
