package dev.frugal.influence.data;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A labelled table for influence experiments: N examples of F numeric features and a class label each, plus what a
 * person needs to look at an example (its text, or its pixels as a square grey image).
 *
 * @param name       where it came from ("digits", a file name)
 * @param x          {@code (N, F)} row-major features
 * @param y          {@code (N)} labels in 0..C-1
 * @param features   F
 * @param classNames C class names
 * @param texts      an excerpt per example, or empty when there is none
 * @param imageSide  side of the square image a row shows (F = side²), or 0 when rows are not images
 */
public record Dataset(String name, double[] x, int[] y, int features, List<String> classNames, List<String> texts,
                      int imageSide) {

    public Dataset {
        Objects.requireNonNull(name, "name");
        classNames = List.copyOf(classNames);
        texts = List.copyOf(texts);
        if (features < 1 || x.length != (long) y.length * features) {
            throw new IllegalArgumentException(name + ": " + y.length + " rows of " + features + " features need "
                    + (long) y.length * features + " values, got " + x.length);
        }
        if (!texts.isEmpty() && texts.size() != y.length) {
            throw new IllegalArgumentException(name + ": " + texts.size() + " texts for " + y.length + " rows");
        }
        if (imageSide != 0 && imageSide * imageSide != features) {
            throw new IllegalArgumentException(name + ": image side " + imageSide + " does not fit " + features
                    + " features");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classNames.size()) {
                throw new IllegalArgumentException(name + ": row " + i + " has label " + y[i] + " outside 0.."
                        + (classNames.size() - 1));
            }
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new InfluenceInputException(name + ": row " + i / features + " feature " + i % features
                        + " is " + x[i] + ": every feature must be a finite number");
            }
        }
    }

    /**
     * A seeded synthetic set for tests and small demonstrations: {@code n} points in {@code f} dimensions around
     * {@code c} Gaussian centres drawn from N(0, I), each point its centre plus N(0, I) noise (overlapping: not
     * separable); point i has class {@code i mod c}.
     */
    public static Dataset blobs(int n, int f, int c, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
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


    /** Examples N. */
    public int size() { return y.length; }

    /** Classes C. */
    public int classes() { return classNames.size(); }

    /** The features as a tensor {@code (N, F)} (in the caller's scope). */
    public Tensor xTensor(DType dtype) {
        return Tensors.fromDoubles(x, y.length, features).to(dtype);
    }

    /** The labels as an int64 tensor {@code (N)}. */
    public Tensor yTensor() {
        long[] l = new long[y.length];
        for (int i = 0; i < l.length; i++) l[i] = y[i];
        return Tensors.fromLongs(l, l.length);
    }

    /** The rows {@code idx}, in that order. */
    public Dataset subset(int[] idx) {
        double[] sx = new double[idx.length * features];
        int[] sy = new int[idx.length];
        List<String> st = new ArrayList<>();
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(x, idx[k] * features, sx, k * features, features);
            sy[k] = y[idx[k]];
            if (!texts.isEmpty()) st.add(texts.get(idx[k]));
        }
        return new Dataset(name, sx, sy, features, classNames, st, imageSide);
    }

    /** Every row but {@code i}. */
    public Dataset without(int i) {
        int[] idx = new int[size() - 1];
        for (int k = 0, j = 0; k < size(); k++) if (k != i) idx[j++] = k;
        return subset(idx);
    }

    /** The same rows with labels {@code newLabels}. */
    public Dataset withLabels(int[] newLabels) {
        return new Dataset(name, x, newLabels.clone(), features, classNames, texts, imageSide);
    }

    /**
     * Refuses a data set a classifier cannot be trained on: fewer than two examples or a single class present.
     *
     * @throws InfluenceInputException naming the data set
     */
    public Dataset requireTrainable() {
        if (size() < 2) throw new InfluenceInputException(name + ": " + size() + " rows; need at least 2");
        long present = Arrays.stream(y).distinct().count();
        if (present < 2) {
            throw new InfluenceInputException(name + ": every row has label '" + classNames.get(y[0])
                    + "': a classifier needs at least two classes in the training data");
        }
        return this;
    }

    /** A stable fingerprint of sizes and labels (checkpoints refuse a trajectory of other data). */
    public String fingerprint() {
        return size() + "x" + features + "c" + classes() + "h" + Integer.toHexString(Arrays.hashCode(y) * 31
                + Arrays.hashCode(x));
    }
}
