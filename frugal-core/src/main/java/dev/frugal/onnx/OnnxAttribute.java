package dev.frugal.onnx;

import java.util.List;
import java.util.Objects;

/**
 * A node attribute ({@code AttributeProto}). Only the kinds that inference graphs of encoder models use are
 * decoded; the rest are kept as {@link Other} so that a model still loads.
 */
public sealed interface OnnxAttribute {

    /** The attribute name, e.g. {@code perm}, {@code epsilon}, {@code value}. */
    String name();

    /** A single float ({@code AttributeType.FLOAT}). */
    record FloatValue(String name, float value) implements OnnxAttribute {
        public FloatValue {
            Objects.requireNonNull(name, "name");
        }
    }

    /** A single integer ({@code AttributeType.INT}). */
    record IntValue(String name, long value) implements OnnxAttribute {
        public IntValue {
            Objects.requireNonNull(name, "name");
        }
    }

    /** A string ({@code AttributeType.STRING}), decoded as UTF-8. */
    record StringValue(String name, String value) implements OnnxAttribute {
        public StringValue {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A tensor ({@code AttributeType.TENSOR}), e.g. the {@code value} of a {@code Constant} node. */
    record TensorValue(String name, OnnxInitializer value) implements OnnxAttribute {
        public TensorValue {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /** A list of floats ({@code AttributeType.FLOATS}). */
    record Floats(String name, float[] values) implements OnnxAttribute {
        public Floats {
            Objects.requireNonNull(name, "name");
            values = values.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }
    }

    /** A list of integers ({@code AttributeType.INTS}), e.g. a Transpose {@code perm} or Reshape-free {@code axes}. */
    record Ints(String name, long[] values) implements OnnxAttribute {
        public Ints {
            Objects.requireNonNull(name, "name");
            values = values.clone();
        }

        @Override
        public long[] values() {
            return values.clone();
        }
    }

    /** A list of strings ({@code AttributeType.STRINGS}). */
    record Strings(String name, List<String> values) implements OnnxAttribute {
        public Strings {
            Objects.requireNonNull(name, "name");
            values = List.copyOf(values);
        }
    }

    /** An attribute kind this reader keeps only by name (graphs, sparse tensors, type protos). */
    record Other(String name, int attributeType) implements OnnxAttribute {
        public Other {
            Objects.requireNonNull(name, "name");
        }
    }
}
