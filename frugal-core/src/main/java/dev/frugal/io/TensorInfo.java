package dev.frugal.io;

import dev.frugal.tensor.DType;
import java.util.Arrays;

/**
 * One entry of a safetensors header.
 *
 * @param name  tensor name
 * @param dtype element type
 * @param shape dimensions
 * @param begin first data byte, relative to the start of the data section
 * @param end   one past the last data byte
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public TensorInfo {
        shape = shape.clone();
    }

    public long byteLength() { return end - begin; }

    @Override
    public long[] shape() { return shape.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo i && name.equals(i.name) && dtype == i.dtype && Arrays.equals(shape, i.shape)
                && begin == i.begin && end == i.end;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")"; }
}
