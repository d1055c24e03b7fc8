package dev.frugal.dp.vision;

import dev.frugal.model.LayerOps;
import dev.frugal.tensor.Tensor;
import java.util.LinkedHashMap;

/** A small image classifier whose every parameterised layer goes through {@link LayerOps} (so DP can clip it). */
public interface ImageClassifier extends AutoCloseable {
    /** {@code images (B, 1, H, W)} → logits {@code (B, K)}. */
    Tensor logits(Tensor images, LayerOps ops);

    /** Trainable parameters by name, in layer order. */
    LinkedHashMap<String, Tensor> parameters();

    @Override
    default void close() { parameters().values().forEach(Tensor::close); }

    /** PyTorch's default init for conv/linear: U(−1/√fan_in, 1/√fan_in) for weight and bias. */
    static Tensor uniformInit(dev.frugal.tensor.Rng rng, long fanIn, long... shape) {
        double b = 1 / Math.sqrt(fanIn);
        return dev.frugal.tensor.Tensors.empty(dev.frugal.tensor.DType.F32, dev.frugal.tensor.Device.CPU, shape)
                .uniformInPlace(-b, b, rng).keep();
    }
}
