package dev.frugal.onnx;

/**
 * Element types of an ONNX {@code TensorProto}, with the numeric codes of {@code TensorProto.DataType}.
 *
 * <p>Only the fixed-width numeric types carry a byte size; {@link #STRING} and {@link #UNDEFINED} report 0.
 */
public enum OnnxDataType {
    UNDEFINED(0, 0),
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8),
    COMPLEX64(14, 8),
    COMPLEX128(15, 16),
    BFLOAT16(16, 2);

    private final int code;
    private final int byteSize;

    OnnxDataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The {@code TensorProto.DataType} number. */
    public int code() {
        return code;
    }

    /** Bytes per element in {@code raw_data}; 0 for types without a fixed width. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The type with ONNX code {@code code}.
     *
     * @throws IllegalArgumentException for codes this reader does not know (e.g. the float8 family)
     */
    public static OnnxDataType ofCode(int code) {
        for (OnnxDataType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported ONNX tensor data_type " + code
                + " (known: 0..16); convert the model to float32/int64 tensors first");
    }
}
