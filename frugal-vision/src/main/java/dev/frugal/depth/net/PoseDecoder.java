package dev.frugal.depth.net;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Tensor;

/**
 * Monodepth2's pose decoder: 1×1 squeeze, two 3×3 ReLU convolutions, a 1×1 convolution to 6 values, spatial mean,
 * × {@link ModelConfig#poseScale()} (Monodepth2: 0.01); the first three are the axis-angle rotation and the last three the translation of {@code T_{k+1}←k}.
 */
final class PoseDecoder {
    private final Params p;
    private final double scale;

    PoseDecoder(Params p, long in, long width, double scale) {
        this.p = p;
        this.scale = scale;
        Layers.conv(p, "pose_dec.squeeze", in, width, 1, true);
        Layers.conv(p, "pose_dec.conv1", width, width, 3, true);
        Layers.conv(p, "pose_dec.conv2", width, width, 3, true);
        Layers.conv(p, "pose_dec.out", width, 6, 1, true);
    }

    /** {@code (B, C, h, w)} → {@code (B, 6)}. */
    Tensor forward(Tensor f) {
        Tensor x = Layers.conv(p, "pose_dec.squeeze", f, 1, 0, true).relu();
        x = Layers.conv(p, "pose_dec.conv1", x, 1, 1, true).relu();
        x = Layers.conv(p, "pose_dec.conv2", x, 1, 1, true).relu();
        x = Layers.conv(p, "pose_dec.out", x, 1, 0, true);
        return ImageOps.spatialMean(x).mul(scale);
    }
}
