package dev.frugal.dp.tasks;

import dev.frugal.InvalidSettingException;
import dev.frugal.data.FashionMnist;
import dev.frugal.data.IdxFile;
import dev.frugal.dp.vision.ImageClassifier;
import dev.frugal.model.LayerOps;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.LinkedHashMap;

/** Fashion-MNIST with a small CNN or MLP; images normalised with the training set's mean 0.2860 and std 0.3530. */
public final class FmnistTask implements DpTask {
    private static final float MEAN = 0.2860f, STD = 0.3530f;
    private final ImageClassifier model;
    private final Tensor trainX, trainY, testX, testY; // (N, 1, 28, 28) float, (N) int64
    private final double majority;

    /**
     * @param model    the classifier to train (closed with this task)
     * @param maxTrain use only the first this many training images; 0 = all of them
     */
    public FmnistTask(ImageClassifier model, int maxTrain) {
        if (maxTrain < 0) throw new InvalidSettingException("maxTrain", "must be >= 1 (or left out for all), got " + maxTrain);
        this.model = model;
        FashionMnist d = FashionMnist.load();
        int n = maxTrain > 0 ? Math.min(maxTrain, d.trainImages().dims()[0]) : d.trainImages().dims()[0];
        try (Scope s = Scope.open()) {
            trainX = images(d.trainImages(), n).keep();
            trainY = labels(d.trainLabels(), n).keep();
            testX = images(d.testImages(), d.testImages().dims()[0]).keep();
            testY = labels(d.testLabels(), d.testImages().dims()[0]).keep();
        }
        // the training majority class, then its frequency on the test set: the accuracy of always predicting it
        long[] counts = new long[10];
        for (int i = 0; i < n; i++) counts[d.trainLabels().data()[i]]++;
        int top = 0;
        for (int c = 1; c < counts.length; c++) if (counts[c] > counts[top]) top = c;
        long hits = 0;
        int nTest = d.testImages().dims()[0];
        for (int i = 0; i < nTest; i++) if (d.testLabels().data()[i] == top) hits++;
        majority = (double) hits / nTest;
    }

    private static Tensor images(IdxFile f, int n) {
        byte[] b = f.data();
        float[] px = new float[n * 784];
        for (int i = 0; i < px.length; i++) px[i] = ((b[i] & 0xff) / 255f - MEAN) / STD;
        return Tensors.fromFloats(px, n, 1, 28, 28);
    }

    private static Tensor labels(IdxFile f, int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = f.data()[i];
        return Tensors.fromLongs(y, n);
    }

    @Override
    public String describe() {
        return "Fashion-MNIST " + trainX.size(0) + " train / " + testX.size(0) + " test, " + model.getClass().getSimpleName()
                + " (" + model.parameters().values().stream().mapToLong(Tensor::numel).sum() + " parameters)";
    }

    @Override
    public long trainSize() { return trainX.size(0); }

    @Override
    public LinkedHashMap<String, Tensor> trainable() { return model.parameters(); }

    @Override
    public Tensor perSampleLoss(long[] indices, LayerOps ops) {
        Tensor idx = Tensors.fromLongs(indices, indices.length);
        return NN.crossEntropyPerRow(model.logits(trainX.indexSelect(0, idx), ops), trainY.indexSelect(0, idx), -100);
    }

    @Override
    public Evaluation evaluate() {
        long n = testX.size(0), correct = 0;
        double loss = 0;
        try (GradMode off = GradMode.off()) {
            for (long start = 0; start < n; start += 1000) {
                try (Scope s = Scope.open()) {
                    long len = Math.min(1000, n - start);
                    Tensor logits = model.logits(testX.narrow(0, start, len), LayerOps.PLAIN);
                    Tensor y = testY.narrow(0, start, len);
                    loss += NN.crossEntropyPerRow(logits, y, -100).sum().itemDouble();
                    correct += logits.argmax(1, false).eq(y).to(dev.frugal.tensor.DType.I64).sum().itemLong();
                }
            }
        }
        return new Evaluation((double) correct / n, loss / n, n);
    }

    @Override
    public double majorityBaseline() { return majority; }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {trainX, trainY, testX, testY}) t.close();
        model.close();
    }
}
