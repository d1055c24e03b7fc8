package dev.frugal.influence;

import dev.frugal.influence.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small synthetic data sets for unit tests (the experiments use real data). */
final class Fixtures {
    private Fixtures() {}

    /** {@code n} points in {@code f} dimensions around {@code c} Gaussian centres (overlapping: not separable). */
    static Dataset blobs(int n, int f, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centres = new double[c][f];
        for (double[] ce : centres) for (int k = 0; k < f; k++) ce[k] = r.nextGaussian();
        double[] x = new double[n * f];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
            for (int k = 0; k < f; k++) x[i * f + k] = centres[y[i]][k] + r.nextGaussian();
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < c; k++) names.add("c" + k);
        return new Dataset("blobs", x, y, f, names, List.of(), 0);
    }
}
