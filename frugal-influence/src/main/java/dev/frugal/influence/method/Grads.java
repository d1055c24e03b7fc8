package dev.frugal.influence.method;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.data.Dataset;
import dev.frugal.tensor.Tensor;

/** Small helpers shared by the methods: tensors to Java arrays, and the NaN check on gradients. */
final class Grads {
    private Grads() {}

    /** Refuses non-finite per-example gradients, naming what they belong to. */
    static Tensor finite(Tensor g, String what, Dataset data) {
        if (g.isfinite().logicalNot().sum().itemDouble() > 0) {
            throw new InfluenceInputException("NaN or infinite gradients of " + what + " on " + data.name()
                    + ": the weights or features hold extreme values; scale the features or retrain with a lower --lr");
        }
        return g;
    }

    /** A {@code (N, M)} tensor as rows. */
    static double[][] rows(Tensor m) {
        int n = (int) m.size(0), k = (int) m.size(1);
        double[] flat = m.contiguous().toDoubleArray();
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) System.arraycopy(flat, i * k, out[i], 0, k);
        return out;
    }
}
