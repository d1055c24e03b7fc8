package dev.frugal.train;

import java.util.Objects;

/**
 * Classification metrics from a {@link ConfusionMatrix}, with one class designated positive (spam = 1 for the spam
 * task). With tp, fp, fn counted for the positive class:
 *
 * <pre>
 *   accuracy  = correct / total
 *   precision = tp / (tp + fp)      recall = tp / (tp + fn)      F1 = 2·P·R / (P + R)
 * </pre>
 *
 * A ratio whose denominator is 0 is reported as 0 (scikit-learn's {@code zero_division=0}).
 *
 * @param confusion the counts
 * @param positive  the positive class
 */
public record Metrics(ConfusionMatrix confusion, int positive) {

    public Metrics {
        Objects.requireNonNull(confusion, "confusion");
        Objects.checkIndex(positive, confusion.numClasses());
    }

    /** Metrics of {@code predictions} against {@code labels} over {@code numClasses}, {@code positive} positive. */
    public static Metrics of(int[] labels, int[] predictions, int numClasses, int positive) {
        return new Metrics(ConfusionMatrix.of(labels, predictions, numClasses), positive);
    }

    /** Binary metrics with class 1 positive. */
    public static Metrics binary(int[] labels, int[] predictions) {
        return of(labels, predictions, 2, 1);
    }

    /** Fraction of examples predicted correctly. */
    public double accuracy() {
        return ratio(confusion.correct(), confusion.total());
    }

    /** Precision of the positive class. */
    public double precision() {
        return precision(positive);
    }

    /** Recall of the positive class. */
    public double recall() {
        return recall(positive);
    }

    /** F1 of the positive class. */
    public double f1() {
        return f1(positive);
    }

    /** Precision of class {@code k}: {@code count(k, k) / predicted(k)}. */
    public double precision(int k) {
        return ratio(confusion.count(k, k), confusion.predicted(k));
    }

    /** Recall of class {@code k}: {@code count(k, k) / support(k)}. */
    public double recall(int k) {
        return ratio(confusion.count(k, k), confusion.support(k));
    }

    /** F1 of class {@code k}, the harmonic mean of its precision and recall. */
    public double f1(int k) {
        double p = precision(k);
        double r = recall(k);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Unweighted mean of the per-class F1 scores. */
    public double macroF1() {
        double s = 0;
        for (int k = 0; k < confusion.numClasses(); k++) {
            s += f1(k);
        }
        return s / confusion.numClasses();
    }

    private static double ratio(long num, long den) {
        return den == 0 ? 0 : (double) num / den;
    }
}
