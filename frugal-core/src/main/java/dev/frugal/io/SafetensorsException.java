package dev.frugal.io;

import java.nio.file.Path;

/**
 * A safetensors file, shard index or checkpoint directory is malformed or does not fit what was asked of it. The
 * message names the file and the problem; {@link #kind()} says which rule was broken, so callers can {@code switch}
 * on it instead of parsing messages.
 */
public final class SafetensorsException extends FrugalIoException {
    /** Which validation rule an input broke. */
    public enum Kind {
        /** The file (or directory) does not exist or cannot be read or written. */
        IO,
        /** Fewer bytes than the format needs: under 8 bytes, or a data section shorter than the header claims. */
        TRUNCATED,
        /** The u64 header length is zero, over {@link SafetensorsFile#MAX_HEADER_BYTES}, or past the end of the file. */
        HEADER_LENGTH,
        /** The header is not UTF-8 JSON, not an object, or has duplicate keys or trailing content. */
        HEADER_JSON,
        /** A tensor entry or {@code __metadata__} lacks a field or has a field of the wrong JSON type. */
        MALFORMED_ENTRY,
        /** A dtype string frugal does not read. */
        UNKNOWN_DTYPE,
        /** A dimension is negative, not an integer, or the shape's element or byte count overflows 63 bits. */
        BAD_SHAPE,
        /** shape × dtype size differs from the entry's byte range. */
        SIZE_MISMATCH,
        /** data_offsets lie outside the data section or end before they begin. */
        OFFSETS_OUT_OF_RANGE,
        /** Two tensors share bytes. */
        OVERLAP,
        /** Bytes between tensors, or after the last one, that no tensor covers. */
        HOLE,
        /** Stored values that are not valid for their dtype (a BOOL byte other than 0 or 1). */
        BAD_VALUE,
        /** A tensor name that is not in the file or checkpoint. */
        NO_SUCH_TENSOR,
        /** model.safetensors.index.json is malformed. */
        BAD_INDEX,
        /** A shard the index names does not exist. */
        MISSING_SHARD,
        /** The index and the shards disagree: a name the index places in a shard that lacks it, or a stale shard. */
        INDEX_MISMATCH,
        /** The same tensor name appears in two shards. */
        DUPLICATE_TENSOR,
        /** The writer was given something it cannot store (a dtype without a safetensors name, a reserved name). */
        UNSUPPORTED
    }

    private final Path file;
    private final Kind kind;

    public SafetensorsException(Path file, Kind kind, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.kind = kind;
    }

    public SafetensorsException(Path file, Kind kind, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.kind = kind;
    }

    /** An I/O problem ({@link Kind#IO}). */
    public SafetensorsException(Path file, String problem, Throwable cause) { this(file, Kind.IO, problem, cause); }

    /** The file or directory the problem is in. */
    public Path file() { return file; }

    /** The rule that was broken. */
    public Kind kind() { return kind; }
}
