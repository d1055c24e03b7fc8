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
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (begin < 0 || end < begin) throw new IllegalArgumentException(name + ": data_offsets [" + begin + ", " + end
                + "] need 0 <= begin <= end");
        if (SafetensorsHeader.byteLength(shape, dtype) != end - begin) throw new IllegalArgumentException(name + ": shape "
                + Arrays.toString(shape) + " of " + dtype + " does not fill [" + begin + ", " + end + ")");
    }

    /** Element count. */
    public long numel() { return byteLength() / dtype.bytes(); }

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
