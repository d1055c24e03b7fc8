package dev.frugal.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte IDX file (the MNIST format): a big-endian magic {@code 0x0000 08 NN} ({@code 08} = unsigned byte,
 * {@code NN} = number of dimensions), {@code NN} big-endian int32 sizes, then the data, row-major.
 *
 * @param dims sizes, outermost first: {@code (N)} for labels, {@code (N, rows, cols)} for images
 * @param data {@code prod(dims)} unsigned bytes
 */
public record IdxFile(int[] dims, byte[] data) {

    /** Magic number of a label file: unsigned bytes, 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Magic number of an image file: unsigned bytes, 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;

    public IdxFile {
        dims = dims.clone();
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative IDX dimension in " + Arrays.toString(dims));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("IDX dims " + Arrays.toString(dims) + " need " + n + " bytes, got "
                    + data.length);
        }
    }

    /** Sizes copy. */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Reads a gzip-compressed IDX file and checks its magic number.
     *
     * @param expectedMagic {@link #LABELS_MAGIC} or {@link #IMAGES_MAGIC}
     * @throws DatasetFormatException naming the file when it is not gzip, truncated, has the wrong magic, or has
     *                                trailing bytes
     */
    public static IdxFile readGz(Path file, int expectedMagic) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new DatasetFormatException(file, String.format("IDX magic 0x%08x, expected 0x%08x", magic,
                        expectedMagic), null);
            }
            int[] dims = new int[expectedMagic & 0xff];
            long n = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new DatasetFormatException(file, "negative IDX size " + dims[i], null);
                }
                n *= dims[i];
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(file, "IDX sizes " + Arrays.toString(dims) + " are too large", null);
            }
            byte[] data = new byte[(int) n];
            in.readFully(data);
            if (in.read() != -1) {
                throw new DatasetFormatException(file, "trailing bytes after " + n + " data bytes", null);
            }
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "IDX file is truncated", e);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read gzip IDX data: " + e.getMessage(), e);
        }
    }
}
