package dev.frugal.influence.data;

import dev.frugal.influence.InfluenceInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Where an influence run's data comes from, as given on the command line: {@code digits}, {@code fmnist},
 * {@code spam} or a CSV file (with {@code label}), and how it is split. Saved with a trained model so that scoring
 * reloads the same split.
 *
 * @param data      digits, fmnist, spam, or a path to a .csv file
 * @param label     the CSV's label column (null for the built-in sets)
 * @param trainSize training examples
 * @param testSize  test examples (0: the rest; built-in sets cap it)
 * @param seed      split seed
 */
public record DataRef(String data, String label, int trainSize, int testSize, long seed) {

    public DataRef {
        if (data == null || data.isBlank()) throw new InfluenceInputException("--data is required: digits, fmnist,"
                + " spam or FILE.csv");
        if (trainSize < 2 || testSize < 0) throw new InfluenceInputException("--train-size must be >= 2 and"
                + " --test-size >= 0, got " + trainSize + " and " + testSize);
    }

    /** Whether {@link #data} names a CSV file. */
    public boolean isCsv() {
        return !(data.equals("digits") || data.equals("fmnist") || data.equals("spam"));
    }

    /** Loads and splits the data. */
    public Split load(IntConsumer progress) {
        return switch (data) {
            case "digits" -> Split.of(Sources.digits(), trainSize, testSize, seed);
            case "fmnist" -> {
                int test = testSize == 0 ? 1000 : testSize;
                yield Split.of(Sources.fashionMnist(trainSize + test, seed), trainSize, test, seed);
            }
            case "spam" -> Sources.spamEmbeddings(trainSize, testSize == 0 ? 587 : testSize, progress);
            default -> {
                Path f = Path.of(data);
                if (!Files.isRegularFile(f)) {
                    throw new InfluenceInputException("--data " + data + ": not digits, fmnist, spam or an existing"
                            + " CSV file");
                }
                yield Split.of(CsvDataset.read(f, label), trainSize, testSize, seed);
            }
        };
    }

    /** Checkpoint metadata entries. */
    public Map<String, String> metadata() {
        return Map.of("data_ref", data, "data_label", label == null ? "" : label, "data_train",
                Integer.toString(trainSize), "data_test", Integer.toString(testSize), "data_seed", Long.toString(seed));
    }

    /** Reads {@link #metadata()} back. */
    public static DataRef fromMetadata(Map<String, String> m) {
        if (!m.containsKey("data_ref")) throw new InfluenceInputException("the model's metadata does not say which"
                + " data it was trained on: pass --data (and --label) explicitly");
        String l = m.get("data_label");
        return new DataRef(m.get("data_ref"), l.isEmpty() ? null : l, Integer.parseInt(m.get("data_train")),
                Integer.parseInt(m.get("data_test")), Long.parseLong(m.get("data_seed")));
    }
}
