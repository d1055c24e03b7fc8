package dev.frugal.interp;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Int8Linear;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/**
 * One linear map {@code x (…, in) → x W^T + b (…, out)} stored at a chosen {@link Precision}.
 */
final class Projection implements AutoCloseable {
    private final Precision precision;
    private final Tensor weight; // (out, in) float32 or bfloat16; null for int8
    private final Tensor bias; // (out) float32 or null
    private final Int8Linear int8;

    /** {@code weight (out, in)} float32, {@code bias (out)} or null. */
    Projection(Tensor weight, Tensor bias, Precision precision) {
        this.precision = precision;
        switch (precision) {
            case FP32 -> {
                this.weight = weight.contiguous().keep();
                this.int8 = null;
            }
            case BF16 -> {
                this.weight = weight.to(DType.BF16).keep();
                this.int8 = null;
            }
            case INT8 -> {
                this.weight = null;
                this.int8 = Int8Linear.pack(weight, bias);
            }
            default -> throw new AssertionError(precision);
        }
        this.bias = bias == null || precision == Precision.INT8 ? null : bias.contiguous().keep();
    }

    Tensor apply(Tensor x) {
        return switch (precision) {
            case FP32 -> NN.linear(x, weight, bias);
            case BF16 -> NN.linear(x, weight.to(DType.F32), bias);
            case INT8 -> int8.apply(x);
        };
    }

    @Override
    public void close() {
        if (weight != null) weight.close();
        if (bias != null) bias.close();
        if (int8 != null) int8.close();
    }
}
