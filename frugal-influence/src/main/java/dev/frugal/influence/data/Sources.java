package dev.frugal.influence.data;

import dev.frugal.data.Digits;
import dev.frugal.data.FashionMnist;
import dev.frugal.data.IdxFile;
import java.util.ArrayList;
import java.util.List;

/** The real data sets of the experiments, as {@link Dataset}s, installed through {@code dev.frugal.data}. */
public final class Sources {
    private Sources() {}

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
        if (count < 2 || count > total) throw new IllegalArgumentException("Fashion-MNIST subset of " + count
                + " images: use 2.." + total);
        long[] perm;
        try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open()) {
            perm = dev.frugal.tensor.Tensors.randperm(total, dev.frugal.tensor.Rng.seeded("influence-fmnist", seed))
                    .toLongArray();
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
