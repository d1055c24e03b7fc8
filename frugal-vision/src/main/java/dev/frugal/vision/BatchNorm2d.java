package dev.frugal.vision;

import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * BatchNorm over the channels of {@code (B, C, H, W)} maps, as {@code torch.nn.BatchNorm2d}: affine {@code weight, bias
 * (C)} (trainable) and running statistics {@code runningMean, runningVar (C)} (buffers, updated in training mode with
 * {@code r ← (1 − momentum)·r + momentum·stat}). All four tensors are kept: they live as long as the owning model.
 */
public final class BatchNorm2d {
    /** PyTorch's default epsilon. */
    public static final double EPS = 1e-5;

    final Tensor weight;      // (C)
    final Tensor bias;        // (C)
    final Tensor runningMean; // (C)
    final Tensor runningVar;  // (C)

    BatchNorm2d(long channels) {
        this(Tensors.ones(channels).keep(), Tensors.zeros(channels).keep(), Tensors.zeros(channels).keep(),
                Tensors.ones(channels).keep());
    }

    BatchNorm2d(Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar) {
        this.weight = weight;
        this.bias = bias;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
    }

    /**
     * {@code x (B, C, H, W)} → same shape. {@code training}: normalise with batch statistics and update the running
     * ones with {@code momentum}; otherwise normalise with the running statistics.
     */
    Tensor forward(Tensor x, boolean training, double momentum) {
        return NN.batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, EPS);
    }

    /**
     * Reference: {@code y = (x − μ_B) / sqrt(σ²_B + ε) · γ + β} with biased batch variance, written out in tensor ops
     * (no running-statistics update); the test compares {@link #forward} against it.
     */
    static Tensor reference(Tensor x, Tensor weight, Tensor bias) {
        long c = x.size(1);
        Tensor flat = x.transpose(0, 1).reshape(c, -1);            // (C, B·H·W)
        Tensor mu = flat.mean(1, true);                             // (C, 1)
        Tensor var = flat.varBiased(1, true);                       // (C, 1)
        Tensor y = flat.sub(mu).div(var.add(EPS).sqrt());
        y = y.mul(weight.view(c, 1)).add(bias.view(c, 1));
        long[] s = x.shape();
        return y.reshape(c, s[0], s[2], s[3]).transpose(0, 1);
    }

    void copyFrom(BatchNorm2d o) {
        try (GradMode off = GradMode.off()) {
            weight.copyFrom(o.weight);
            bias.copyFrom(o.bias);
            runningMean.copyFrom(o.runningMean);
            runningVar.copyFrom(o.runningVar);
        }
    }
}
