package dev.frugal.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * Reads an ONNX {@code ModelProto} with protobuf-java's {@link CodedInputStream}, decoding only the fields that weight
 * import needs by their field numbers from {@code onnx.proto} (no generated code). Unknown fields are skipped, so newer
 * files still load.
 *
 * <p>Field numbers used (from onnx/onnx.proto3): ModelProto ir_version=1, producer_name=2, producer_version=3,
 * graph=7, opset_import=8; GraphProto node=1, initializer=5, input=11, output=12; NodeProto input=1, output=2,
 * name=3, op_type=4, attribute=5, domain=7; AttributeProto name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, strings=9,
 * type=20; TensorProto dims=1, data_type=2, float_data=4, int32_data=5, int64_data=7, name=8, raw_data=9,
 * double_data=10, data_location=14; ValueInfoProto name=1; OperatorSetIdProto domain=1, version=2.
 *
 * <p>Tensor data stays in the file's byte array: {@code raw_data} is aliased, not copied.
 */
public final class OnnxReader {

    private final Path file;

    private OnnxReader(Path file) {
        this.file = file;
    }

    /**
     * Parses {@code file}.
     *
     * @throws OnnxFormatException when the file is truncated, corrupt, or stores tensors externally
     * @throws IOException         when the file cannot be read
     */
    public static OnnxModel read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return new OnnxReader(file).parse(bytes);
    }

    /**
     * Parses an in-memory model; {@code origin} names it in error messages (may be {@code null}).
     *
     * @throws OnnxFormatException when the bytes are not a readable ONNX model
     */
    public static OnnxModel parse(byte[] bytes, Path origin) {
        return new OnnxReader(origin).parse(bytes);
    }

    private OnnxModel parse(byte[] bytes) {
        if (bytes.length == 0) {
            throw new OnnxFormatException(file, "file is empty", null);
        }
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(64);
            return readModel(in);
        } catch (IOException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            throw new OnnxFormatException(file, "cannot parse ONNX model: " + e.getMessage(), e);
        }
    }

    private OnnxModel readModel(CodedInputStream in) throws IOException {
        long irVersion = 0;
        String producerName = "";
        String producerVersion = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> irVersion = in.readInt64();
                case 2 -> producerName = in.readStringRequireUtf8();
                case 3 -> producerVersion = in.readStringRequireUtf8();
                case 7 -> graph = message(in, this::readGraph);
                case 8 -> message(in, sub -> readOpset(sub, opsets));
                default -> skip(in, tag);
            }
        }
        if (graph == null) {
            throw new OnnxFormatException(file, "model has no graph (field 7); the file may be truncated", null);
        }
        Graph g = graph;
        List<String> realInputs = g.inputs.stream().filter(n -> !g.initializers.containsKey(n)).toList();
        return new OnnxModel(irVersion, (producerName + " " + producerVersion).trim(), opsets, g.nodes,
                g.initializers, realInputs, g.outputs);
    }

    private record Graph(List<OnnxNode> nodes, Map<String, OnnxInitializer> initializers, List<String> inputs,
                         List<String> outputs) {
    }

    private Graph readGraph(CodedInputStream in) throws IOException {
        List<OnnxNode> nodes = new ArrayList<>();
        Map<String, OnnxInitializer> inits = new LinkedHashMap<>();
        Set<String> inputs = new LinkedHashSet<>();
        List<String> outputs = new ArrayList<>();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> nodes.add(message(in, this::readNode));
                case 5 -> {
                    OnnxInitializer t = message(in, this::readTensor);
                    inits.put(t.name(), t);
                }
                case 11 -> inputs.add(message(in, this::readValueInfoName));
                case 12 -> outputs.add(message(in, this::readValueInfoName));
                default -> skip(in, tag);
            }
        }
        return new Graph(nodes, inits, List.copyOf(inputs), outputs);
    }

    private OnnxNode readNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        String domain = "";
        Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readStringRequireUtf8());
                case 2 -> outputs.add(in.readStringRequireUtf8());
                case 3 -> name = in.readStringRequireUtf8();
                case 4 -> opType = in.readStringRequireUtf8();
                case 5 -> {
                    OnnxAttribute a = message(in, this::readAttribute);
                    attributes.put(a.name(), a);
                }
                case 7 -> domain = in.readStringRequireUtf8();
                default -> skip(in, tag);
            }
        }
        if (opType.isEmpty()) {
            throw new IllegalStateException("node '" + name + "' has no op_type");
        }
        return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
    }

    private OnnxAttribute readAttribute(CodedInputStream in) throws IOException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        ByteString s = ByteString.EMPTY;
        OnnxInitializer t = null;
        FloatList floats = new FloatList();
        LongStream.Builder ints = LongStream.builder();
        List<String> strings = new ArrayList<>();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int wire = WireFormat.getTagWireType(tag);
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = in.readStringRequireUtf8();
                case 2 -> f = in.readFloat();
                case 3 -> i = in.readInt64();
                case 4 -> s = in.readBytes();
                case 5 -> t = message(in, this::readTensor);
                case 7 -> readFloats(in, wire, floats);
                case 8 -> readLongs(in, wire, ints);
                case 9 -> strings.add(in.readBytes().toStringUtf8());
                case 20 -> type = in.readEnum();
                default -> skip(in, tag);
            }
        }
        return switch (type) {
            case 1 -> new OnnxAttribute.FloatValue(name, f);
            case 2 -> new OnnxAttribute.IntValue(name, i);
            case 3 -> new OnnxAttribute.StringValue(name, s.toStringUtf8());
            case 4 -> {
                if (t == null) {
                    throw new IllegalStateException("tensor attribute '" + name + "' has no tensor");
                }
                yield new OnnxAttribute.TensorValue(name, t);
            }
            case 6 -> new OnnxAttribute.Floats(name, floats.toArray());
            case 7 -> new OnnxAttribute.Ints(name, ints.build().toArray());
            case 8 -> new OnnxAttribute.Strings(name, strings);
            default -> new OnnxAttribute.Other(name, type);
        };
    }

    private OnnxInitializer readTensor(CodedInputStream in) throws IOException {
        LongStream.Builder dims = LongStream.builder();
        int dataType = 0;
        String name = "";
        ByteString raw = null;
        FloatList floatData = new FloatList();
        LongStream.Builder int64Data = LongStream.builder();
        LongStream.Builder int32Data = LongStream.builder();
        boolean external = false;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int wire = WireFormat.getTagWireType(tag);
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> readLongs(in, wire, dims);
                case 2 -> dataType = in.readInt32();
                case 4 -> readFloats(in, wire, floatData);
                case 5 -> readLongs(in, wire, int32Data);
                case 7 -> readLongs(in, wire, int64Data);
                case 8 -> name = in.readStringRequireUtf8();
                case 9 -> raw = in.readBytes();
                case 14 -> external = in.readEnum() == 1;
                default -> skip(in, tag);
            }
        }
        if (external) {
            throw new OnnxFormatException(file, "tensor '" + name + "' keeps its data in an external file; "
                    + "save the model with all tensors inside the .onnx file", null);
        }
        OnnxDataType type = OnnxDataType.ofCode(dataType);
        return new OnnxInitializer(name, type, dims.build().toArray(), tensorBytes(type, raw, floatData,
                int64Data.build().toArray(), int32Data.build().toArray()));
    }

    /** Converts the typed repeated fields to the little-endian {@code raw_data} layout. */
    private static ByteBuffer tensorBytes(OnnxDataType type, ByteString raw, FloatList floats, long[] int64s,
                                          long[] int32s) {
        if (raw != null) {
            return raw.asReadOnlyByteBuffer();
        }
        ByteBuffer b;
        switch (type) {
            case FLOAT -> {
                b = ByteBuffer.allocate(4 * floats.size).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < floats.size; k++) {
                    b.putFloat(floats.values[k]);
                }
            }
            case INT64 -> {
                b = ByteBuffer.allocate(8 * int64s.length).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < int64s.length; k++) {
                    b.putLong(int64s[k]);
                }
            }
            case INT32 -> {
                b = ByteBuffer.allocate(4 * int32s.length).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < int32s.length; k++) {
                    b.putInt((int) int32s[k]);
                }
            }
            case BOOL, INT8, UINT8 -> {
                b = ByteBuffer.allocate(int32s.length);
                for (int k = 0; k < int32s.length; k++) {
                    b.put((byte) int32s[k]);
                }
            }
            default -> b = ByteBuffer.allocate(0);
        }
        return b.flip();
    }

    private String readValueInfoName(CodedInputStream in) throws IOException {
        String name = "";
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return name;
            }
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                name = in.readStringRequireUtf8();
            } else {
                skip(in, tag);
            }
        }
    }

    private Void readOpset(CodedInputStream in, Map<String, Long> opsets) throws IOException {
        String domain = "";
        long version = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> domain = in.readStringRequireUtf8();
                case 2 -> version = in.readInt64();
                default -> skip(in, tag);
            }
        }
        opsets.put(domain, version);
        return null;
    }

    @FunctionalInterface
    private interface Body<T> {
        T read(CodedInputStream in) throws IOException;
    }

    /** Reads one length-delimited sub-message with {@code body}. */
    private static <T> T message(CodedInputStream in, Body<T> body) throws IOException {
        int length = in.readRawVarint32();
        // pushLimit rejects a length that runs past the parent message or the end of the input (truncation)
        int oldLimit = in.pushLimit(length);
        T value = body.read(in);
        in.checkLastTagWas(0);
        if (in.getBytesUntilLimit() != 0) {
            throw new IOException("sub-message ended early");
        }
        in.popLimit(oldLimit);
        return value;
    }

    private static void skip(CodedInputStream in, int tag) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_END_GROUP || !in.skipField(tag)) {
            throw new IOException("unexpected end-group tag " + tag);
        }
    }

    private static void readFloats(CodedInputStream in, int wire, FloatList out) throws IOException {
        readRepeated(in, wire, () -> out.add(in.readFloat()));
    }

    private static void readLongs(CodedInputStream in, int wire, LongStream.Builder out) throws IOException {
        readRepeated(in, wire, () -> out.add(in.readInt64()));
    }

    @FunctionalInterface
    private interface Element {
        void read() throws IOException;
    }

    /** A repeated scalar field: packed (one length-delimited run of elements) or one element per tag. */
    private static void readRepeated(CodedInputStream in, int wire, Element element) throws IOException {
        if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                element.read();
            }
            in.popLimit(limit);
        } else {
            element.read();
        }
    }

    /** Growable float array for repeated fields. */
    private static final class FloatList {
        float[] values = new float[8];
        int size;

        void add(float v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * size);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
