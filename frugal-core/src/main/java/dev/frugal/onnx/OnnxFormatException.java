package dev.frugal.onnx;

import java.nio.file.Path;

/**
 * An ONNX file that cannot be read: truncated, corrupt, or using a feature this reader does not support.
 * The message names the file and what to do about it.
 */
public final class OnnxFormatException extends dev.frugal.UserInputException {

    private final transient Path file;

    /**
     * @param file   the ONNX file being read (may be {@code null} for in-memory input)
     * @param detail what is wrong
     * @param cause  the underlying parse error, or {@code null}
     */
    public OnnxFormatException(Path file, String detail, Throwable cause) {
        super((file == null ? "<in-memory ONNX model>" : file.toString()) + ": " + detail
                + " (re-download the model file, or check that it is an ONNX ModelProto)", cause);
        this.file = file;
    }

    /** The file that failed to parse, or {@code null} for in-memory input. */
    public Path file() {
        return file;
    }
}
