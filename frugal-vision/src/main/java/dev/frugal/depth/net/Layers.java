package dev.frugal.depth.net;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/** The layers the depth and pose networks are built from, as functions over {@link Params} entries. */
final class Layers {
    private Layers() {}

    static void conv(Params p, String name, long in, long out, long k, boolean bias) {
        p.weight(name + ".weight", in * k * k, out, in, k, k);
        if (bias) p.weight(name + ".bias", in * k * k, out);
    }

    static void bn(Params p, String name, long c) {
        p.constant(name + ".weight", 1, c);
        p.constant(name + ".bias", 0, c);
        p.buffer(name + ".running_mean", 0, c);
        p.buffer(name + ".running_var", 1, c);
    }

    /** Zero-padded convolution {@code (B, I, H, W)} → {@code (B, O, H/s, W/s)}. */
    static Tensor conv(Params p, String name, Tensor x, long stride, long padding, boolean bias) {
        return ImageOps.conv2d(x, p.get(name + ".weight"), bias ? p.get(name + ".bias") : null, stride, padding);
    }

    /** Reflection-padded 3×3 convolution with bias (Monodepth2's {@code Conv3x3}). */
    static Tensor conv3Reflect(Params p, String name, Tensor x) {
        return ImageOps.conv2d(ImageOps.reflectionPad(x, 1), p.get(name + ".weight"), p.get(name + ".bias"), 1, 0);
    }

    static Tensor bn(Params p, String name, Tensor x, boolean training) {
        return NN.batchNorm(x, p.get(name + ".weight"), p.get(name + ".bias"), p.get(name + ".running_mean"),
                p.get(name + ".running_var"), training, 0.1, 1e-5);
    }
}
