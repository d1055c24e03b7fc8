package dev.frugal.influence.data;

import dev.frugal.data.Digits;
import dev.frugal.data.FashionMnist;
import dev.frugal.data.IdxFile;
import java.util.ArrayList;
import java.util.List;

/** The real data sets of the experiments, as {@link Dataset}s, installed through {@code dev.frugal.data}. */
public final class Sources {
    private Sources() {}

    /**
     * SpamAssassin emails as frozen all-MiniLM-L6-v2 sentence embeddings (mean-pooled, L2-normalised, 384-d, ≤ 128
     * tokens: what {@code frugal probe} uses): the first {@code trainCount} of frugal's documented train split and the
     * first {@code testCount} of its test split. Embeddings are cached under
     * {@code $FRUGAL_HOME/cache/influence/} keyed by the emails' hashes, so later runs skip the encoder.
     *
     * @param progress called with emails embedded so far (cache misses only); may be null
     */
    public static Split spamEmbeddings(int trainCount, int testCount, java.util.function.IntConsumer progress) {
        dev.frugal.data.DatasetRegistry.atHome().ensure(dev.frugal.data.DatasetName.SPAM);
        dev.frugal.data.Split<dev.frugal.data.SpamEmail> split = dev.frugal.data.SpamAssassinCorpus.defaultSplit();
        List<dev.frugal.data.SpamEmail> train = split.train().subList(0, Math.min(trainCount, split.train().size()));
        List<dev.frugal.data.SpamEmail> test = split.test().subList(0, Math.min(testCount, split.test().size()));
        List<dev.frugal.data.SpamEmail> all = new ArrayList<>(train);
        all.addAll(test);
        String key = Integer.toHexString(all.stream().map(dev.frugal.data.SpamEmail::sha256).toList().hashCode());
        java.nio.file.Path cache = dev.frugal.data.FrugalHome.root().resolve("cache").resolve("influence")
                .resolve("spam-minilm-" + all.size() + "-" + key + ".safetensors");
        double[] emb;
        int dim;
        if (java.nio.file.Files.isRegularFile(cache)) {
            try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open();
                 dev.frugal.io.SafetensorsFile f = dev.frugal.io.SafetensorsFile.open(cache)) {
                dev.frugal.tensor.Tensor t = f.tensor("embeddings", dev.frugal.tensor.DType.F64);
                dim = (int) t.size(1);
                emb = t.contiguous().toDoubleArray();
            }
        } else {
            try (dev.frugal.model.SentenceEncoder enc = dev.frugal.model.SentenceEncoder.load(
                    dev.frugal.model.ModelRef.resolve(dev.frugal.model.ModelRef.MINILM), dev.frugal.tensor.Device.CPU,
                    128); dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) {
                dev.frugal.tensor.Tensor t = enc.embedAll(all.stream().map(dev.frugal.data.SpamEmail::text).toList(),
                        32, progress == null ? k -> { } : progress);                  // (N, 384)
                java.nio.file.Files.createDirectories(cache.getParent());
                dev.frugal.io.SafetensorsWriter.write(cache, java.util.Map.of("embeddings", t.contiguous()),
                        java.util.Map.of("model", "all-MiniLM-L6-v2", "max_tokens", "128"));
                dim = (int) t.size(1);
                emb = t.to(dev.frugal.tensor.DType.F64).contiguous().toDoubleArray();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write the embedding cache " + cache, e);
            }
        }
        return new Split(spam("spam-train", train, emb, 0, dim), spam("spam-test", test, emb, train.size(), dim));
    }

    private static Dataset spam(String name, List<dev.frugal.data.SpamEmail> emails, double[] emb, int offset,
                                int dim) {
        double[] x = new double[emails.size() * dim];
        System.arraycopy(emb, offset * dim, x, 0, x.length);
        int[] y = emails.stream().mapToInt(dev.frugal.data.SpamEmail::label).toArray();
        List<String> texts = emails.stream().map(e -> excerpt(e.text())).toList();
        return new Dataset(name, x, y, dim, List.of("ham", "spam"), texts, 0);
    }

    /** The first 200 characters of an email on one line. */
    static String excerpt(String text) {
        String one = text.replaceAll("\\s+", " ").strip();
        return one.length() <= 200 ? one : one.substring(0, 200) + "…";
    }

    /** The 1,797 8×8 digits, pixels scaled from 0..16 to [0, 1]. */
    public static Dataset digits() {
        Digits d = Digits.load();
        double[] x = new double[d.pixels().length];
        for (int i = 0; i < x.length; i++) x[i] = d.pixels()[i] / 16.0;
        int[] y = new int[d.size()];
        for (int i = 0; i < y.length; i++) y[i] = d.labels()[i];
        List<String> names = new ArrayList<>();
        for (int k = 0; k < 10; k++) names.add(Integer.toString(k));
        return new Dataset("digits", x, y, Digits.PIXELS, names, List.of(), 8);
    }

    /**
     * {@code count} Fashion-MNIST training images (the first ones of a seeded permutation), 2×2 mean-pooled to 14×14
     * (196 features in [0, 1]) to keep a small MLP's explicit Hessian affordable.
     */
    public static Dataset fashionMnist(int count, long seed) {
        FashionMnist f = FashionMnist.load();
        IdxFile img = f.trainImages();
        int total = img.dims()[0];
        if (count < 2 || count > total) throw new dev.frugal.UserInputException("a Fashion-MNIST subset of " + count
                + " images: use 2.." + total + " (--train-size plus --test-size)");
        long[] perm;
        try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open();
             dev.frugal.tensor.Rng rng = dev.frugal.tensor.Rng.seeded("influence-fmnist", seed)) {
            perm = dev.frugal.tensor.Tensors.randperm(total, rng).toLongArray();
        }
        double[] x = new double[count * 196];
        int[] y = new int[count];
        byte[] labels = f.trainLabels().data();
        for (int k = 0; k < count; k++) {
            int i = (int) perm[k];
            float[] px = FashionMnist.pixels(img, i);
            for (int r = 0; r < 14; r++) for (int c = 0; c < 14; c++) {
                double v = px[(2 * r) * 28 + 2 * c] + px[(2 * r) * 28 + 2 * c + 1] + px[(2 * r + 1) * 28 + 2 * c]
                        + px[(2 * r + 1) * 28 + 2 * c + 1];
                x[k * 196 + r * 14 + c] = v / 4;
            }
            y[k] = labels[i];
        }
        return new Dataset("fashion-mnist", x, y, 196, FashionMnist.CLASSES, List.of(), 14);
    }
}
