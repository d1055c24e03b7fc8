package dev.frugal.train;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A linear probe: multinomial logistic regression {@code p(y | x) = softmax(W·x + b)} trained on frozen features
 * (e.g. sentence embeddings) with cross-entropy, AdamW and seeded shuffling. With two classes this is logistic
 * regression with a redundant (softmax) parametrisation.
 *
 * <pre>
 *   var probe = LinearProbe.train(trainX, trainY, 2, ProbeConfig.defaults(), null);
 *   Metrics m = probe.evaluate(testX, testY, 1);
 * </pre>
 */
public final class LinearProbe implements AutoCloseable {

    /** Called after each epoch with its 1-based number and the mean training loss over that epoch. */
    @FunctionalInterface
    public interface EpochListener {
        void epochDone(int epoch, double meanLoss);
    }

    private final Tensor weight; // (K, C)
    private final Tensor bias;   // (K)
    private final double[] epochLosses;

    private LinearProbe(Tensor weight, Tensor bias, double[] epochLosses) {
        this.weight = weight;
        this.bias = bias;
        this.epochLosses = epochLosses;
    }

    /**
     * Trains a probe on {@code features (N, C)} (float32, CPU) with {@code labels} in {@code [0, numClasses)}.
     * The weights start at N(0, 0.01²) and the bias at 0, drawn from {@code Rng("probe", seed)}, which also draws
     * each epoch's permutation; the same inputs and config give the same probe, bit for bit.
     *
     * @param listener may be null
     */
    public static LinearProbe train(Tensor features, int[] labels, int numClasses, ProbeConfig config,
                                    EpochListener listener) {
        Objects.requireNonNull(config, "config");
        if (features.dim() != 2 || features.size(0) != labels.length) {
            throw new IllegalArgumentException("features must be (N, C) with N = " + labels.length + " labels, got "
                    + Arrays.toString(features.shape()));
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("cannot train a probe on 0 examples");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is outside [0, "
                        + numClasses + ")");
            }
        }
        int n = labels.length;
        long c = features.size(1);
        Rng rng = Rng.seeded("probe", config.seed()); // closed when training ends (below)
        Tensor w;
        Tensor b;
        try (Scope init = Scope.open(); GradMode off = GradMode.off()) {
            w = Tensors.zeros(DType.F32, Device.CPU, numClasses, c).normalInPlace(0, 0.01, rng).keep(); // (K, C)
            b = Tensors.zeros(DType.F32, Device.CPU, numClasses).keep();                               // (K)
        }
        w.requiresGrad(true);
        b.requiresGrad(true);
        double[] losses = new double[config.epochs()];
        try (rng; Scope all = Scope.open();
             AdamW opt = new AdamW(List.of(w, b), config.optimizer())) {
            Tensor x = features.to(DType.F32).contiguous();                   // (N, C)
            Tensor y = Tensors.fromLongs(Arrays.stream(labels).asLongStream().toArray(), n); // (N)
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                double sum = 0;
                try (Scope ep = Scope.open()) {
                    Tensor perm = Tensors.randperm(n, rng);                   // (N)
                    for (int from = 0; from < n; from += config.batchSize()) {
                        int len = Math.min(config.batchSize(), n - from);
                        try (Scope step = Scope.open()) {
                            Tensor idx = perm.narrow(0, from, len);
                            Tensor logits = NN.linear(x.indexSelect(0, idx), w, b); // (b, K)
                            Tensor loss = NN.crossEntropy(logits, y.indexSelect(0, idx), -100);
                            loss.backward();
                            opt.step();
                            opt.zeroGrad();
                            sum += loss.itemDouble() * len;
                        }
                    }
                }
                losses[epoch - 1] = sum / n;
                if (listener != null) {
                    listener.epochDone(epoch, losses[epoch - 1]);
                }
            }
        }
        w.requiresGrad(false);
        b.requiresGrad(false);
        return new LinearProbe(w, b, losses);
    }

    /** Class scores {@code (N, K)} for {@code features (N, C)}, in the caller's scope. */
    public Tensor logits(Tensor features) {
        try (GradMode off = GradMode.off()) {
            return NN.linear(features.to(DType.F32), weight, bias);
        }
    }

    /** The arg-max class of each row of {@code features (N, C)}. */
    public int[] predict(Tensor features) {
        try (Scope s = Scope.open()) {
            return Arrays.stream(logits(features).argmax(1, false).toLongArray()).mapToInt(Math::toIntExact)
                    .toArray();
        }
    }

    /** Metrics of the predictions on {@code features} against {@code labels}, class {@code positive} positive. */
    public Metrics evaluate(Tensor features, int[] labels, int positive) {
        return Metrics.of(labels, predict(features), (int) weight.size(0), positive);
    }

    /** Number of classes K. */
    public int numClasses() {
        return (int) weight.size(0);
    }

    /** Mean training loss of each epoch. */
    public double[] epochLosses() {
        return epochLosses.clone();
    }

    /** The most frequent class in {@code labels} (the lowest one on ties). */
    public static int majorityClass(int[] labels, int numClasses) {
        long[] counts = new long[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        int best = 0;
        for (int k = 1; k < numClasses; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        return best;
    }

    /** The metrics of always predicting the majority class of {@code trainLabels} on {@code testLabels}. */
    public static Metrics majorityBaseline(int[] trainLabels, int[] testLabels, int numClasses, int positive) {
        int[] constant = new int[testLabels.length];
        Arrays.fill(constant, majorityClass(trainLabels, numClasses));
        return Metrics.of(testLabels, constant, numClasses, positive);
    }

    @Override
    public void close() {
        weight.close();
        bias.close();
    }
}
