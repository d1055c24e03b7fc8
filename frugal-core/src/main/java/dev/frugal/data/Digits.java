package dev.frugal.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The UCI optical-recognition digits as scikit-learn ships them ({@code digits.csv.gz}): 1,797 rows of 64 pixel
 * counts in 0..16 (an 8×8 image, row-major) followed by the digit label 0..9.
 *
 * @param pixels {@code (N, 64)} row-major, values 0..16
 * @param labels {@code (N)} digits 0..9
 */
public record Digits(byte[] pixels, byte[] labels) {

    /** Rows in the shipped file. */
    public static final int COUNT = 1797;
    /** Pixels per image (8×8). */
    public static final int PIXELS = 64;

    public Digits {
        if (pixels.length != labels.length * PIXELS) {
            throw new IllegalArgumentException(labels.length + " labels need " + labels.length * PIXELS
                    + " pixels, got " + pixels.length);
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Loads the installed set, verifying it first (installing it when missing). */
    public static Digits load() {
        return read(DatasetRegistry.atHome().ensure(DatasetName.DIGITS).resolve("digits.csv.gz"));
    }

    /**
     * Reads a gzip CSV of 65 integer columns.
     *
     * @throws DatasetFormatException naming the file and line when a row is malformed or the file is truncated
     */
    public static Digits read(Path csvGz) {
        java.io.ByteArrayOutputStream px = new java.io.ByteArrayOutputStream(COUNT * PIXELS);
        java.io.ByteArrayOutputStream lb = new java.io.ByteArrayOutputStream(COUNT);
        int lineNo = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(csvGz)), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cols = line.split(",");
                if (cols.length != PIXELS + 1) {
                    throw new DatasetFormatException(csvGz, "line " + lineNo + " has " + cols.length
                            + " columns, expected 65", null);
                }
                for (int c = 0; c <= PIXELS; c++) {
                    int v = parse(csvGz, lineNo, cols[c]);
                    int max = c < PIXELS ? 16 : 9;
                    if (v < 0 || v > max) {
                        throw new DatasetFormatException(csvGz, "line " + lineNo + " column " + (c + 1) + " value "
                                + v + " outside 0.." + max, null);
                    }
                    (c < PIXELS ? px : lb).write(v);
                }
            }
        } catch (EOFException e) {
            throw new DatasetFormatException(csvGz, "gzip stream is truncated after line " + lineNo, e);
        } catch (IOException e) {
            throw new DatasetFormatException(csvGz, "cannot read gzip CSV: " + e.getMessage(), e);
        }
        if (lb.size() == 0) {
            throw new DatasetFormatException(csvGz, "no rows", null);
        }
        return new Digits(px.toByteArray(), lb.toByteArray());
    }

    private static int parse(Path file, int lineNo, String cell) {
        try {
            double v = Double.parseDouble(cell.trim()); // sklearn writes e.g. "0" or "0.0"
            if (v != Math.rint(v)) {
                throw new DatasetFormatException(file, "line " + lineNo + ": '" + cell + "' is not an integer", null);
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, "line " + lineNo + ": '" + cell + "' is not a number", e);
        }
    }
}
