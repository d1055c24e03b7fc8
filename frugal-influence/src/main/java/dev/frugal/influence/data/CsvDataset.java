package dev.frugal.influence.data;

import dev.frugal.influence.InfluenceInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A user's tabular data: a CSV file with a header row, numeric feature columns and one label column named on the
 * command line. Labels may be any strings; classes are their distinct values in sorted order (numerically when all
 * are numbers). Features are standardised per column (z-scores over the file; a constant column stays 0) so that
 * the default learning rates work on any scale.
 */
public final class CsvDataset {
    private CsvDataset() {}

    /**
     * Reads {@code file} with {@code labelColumn} as the label.
     *
     * @throws InfluenceInputException naming the file, line and column for a missing or non-numeric value, an unknown
     *                                 label column (listing the columns), rows of the wrong width, or an empty file
     */
    public static Dataset read(Path file, String labelColumn) {
        if (labelColumn == null || labelColumn.isBlank()) {
            throw new InfluenceInputException("--label COLUMN is required for a CSV file (" + file + ")");
        }
        List<String[]> rows = new ArrayList<>();
        String[] header;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String h = r.readLine();
            if (h == null) throw new InfluenceInputException(file + " is empty: it needs a header row and data rows");
            header = split(h);
            int lineNo = 1;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] cols = split(line);
                if (cols.length != header.length) {
                    throw new InfluenceInputException(file + " line " + lineNo + " has " + cols.length
                            + " columns, the header has " + header.length);
                }
                rows.add(cols);
            }
        } catch (IOException e) {
            throw new InfluenceInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int label = Arrays.asList(header).indexOf(labelColumn);
        if (label < 0) {
            throw new InfluenceInputException("--label " + labelColumn + ": no such column in " + file + " (columns: "
                    + String.join(", ", header) + ")");
        }
        if (rows.size() < 2) throw new InfluenceInputException(file + " has " + rows.size() + " data rows; need >= 2");
        int f = header.length - 1;
        if (f < 1) throw new InfluenceInputException(file + " has no feature columns besides " + labelColumn);
        double[] x = new double[rows.size() * f];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            int k = 0;
            for (int c = 0; c < header.length; c++) {
                if (c == label) continue;
                String cell = row[c].strip();
                if (cell.isEmpty() || cell.equalsIgnoreCase("na") || cell.equalsIgnoreCase("nan")) {
                    throw new InfluenceInputException(file + " line " + (i + 2) + " column " + header[c]
                            + ": missing value; fill or drop the row first");
                }
                double v;
                try {
                    v = Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    throw new InfluenceInputException(file + " line " + (i + 2) + " column " + header[c] + ": '" + cell
                            + "' is not a number; feature columns must be numeric (encode categories first)");
                }
                if (!Double.isFinite(v)) {
                    throw new InfluenceInputException(file + " line " + (i + 2) + " column " + header[c] + ": " + cell
                            + " is not finite");
                }
                x[i * f + k++] = v;
            }
            String l = row[label].strip();
            if (l.isEmpty()) throw new InfluenceInputException(file + " line " + (i + 2) + ": empty label in column "
                    + labelColumn);
            labels.add(l);
        }
        List<String> classes = classes(labels);
        if (classes.size() < 2) {
            throw new InfluenceInputException(file + ": every row has label '" + classes.getFirst() + "' in column "
                    + labelColumn + ": a classifier needs at least two classes");
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) index.put(classes.get(i), i);
        int[] y = labels.stream().mapToInt(index::get).toArray();
        standardise(x, rows.size(), f);
        return new Dataset(file.getFileName().toString(), x, y, f, classes, List.of(), 0);
    }

    private static String[] split(String line) {
        String[] c = line.split(",", -1);
        for (int i = 0; i < c.length; i++) {
            String s = c[i].strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
            c[i] = s;
        }
        return c;
    }

    private static List<String> classes(List<String> labels) {
        TreeSet<String> distinct = new TreeSet<>(labels);
        boolean numeric = distinct.stream().allMatch(s -> {
            try {
                Double.parseDouble(s);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        });
        List<String> out = new ArrayList<>(distinct);
        if (numeric) out.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
        return out;
    }

    private static void standardise(double[] x, int n, int f) {
        for (int c = 0; c < f; c++) {
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += x[i * f + c];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (x[i * f + c] - mean) * (x[i * f + c] - mean);
            double sd = Math.sqrt(sq / n);
            for (int i = 0; i < n; i++) x[i * f + c] = sd > 0 ? (x[i * f + c] - mean) / sd : 0;
        }
    }
}
