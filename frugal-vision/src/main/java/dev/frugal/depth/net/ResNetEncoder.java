package dev.frugal.depth.net;

import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A small ResNet (He et al.) sized for a 2-core CPU: a 3×3 stride-2 stem and four stride-2 stages of one basic
 * block each (conv3×3-BN-ReLU-conv3×3-BN plus a 1×1 projection shortcut), giving features at 1/2 … 1/32 of the input
 * like ResNet-18's five levels (Monodepth2's encoder), with {@code widths} channels instead of 64…512.
 */
final class ResNetEncoder {
    private final Params p;
    private final String name;
    final long[] widths;

    ResNetEncoder(Params p, String name, long inChannels, long[] widths) {
        if (widths.length != 5) throw new IllegalArgumentException("the encoder has 5 levels, got " + widths.length + " widths");
        this.p = p;
        this.name = name;
        this.widths = widths.clone();
        Layers.conv(p, name + ".stem", inChannels, widths[0], 3, false);
        Layers.bn(p, name + ".stem_bn", widths[0]);
        for (int s = 1; s < 5; s++) {
            String b = name + ".stage" + s;
            Layers.conv(p, b + ".conv1", widths[s - 1], widths[s], 3, false);
            Layers.bn(p, b + ".bn1", widths[s]);
            Layers.conv(p, b + ".conv2", widths[s], widths[s], 3, false);
            Layers.bn(p, b + ".bn2", widths[s]);
            Layers.conv(p, b + ".down", widths[s - 1], widths[s], 1, false);
            Layers.bn(p, b + ".down_bn", widths[s]);
        }
    }

    /** {@code x (B, C, H, W)} → five feature maps {@code (B, widths[i], H/2^{i+1}, W/2^{i+1})}. */
    List<Tensor> forward(Tensor x, boolean training) {
        List<Tensor> feats = new ArrayList<>();
        Tensor h = Layers.bn(p, name + ".stem_bn", Layers.conv(p, name + ".stem", x, 2, 1, false), training).relu();
        feats.add(h);
        for (int s = 1; s < 5; s++) {
            String b = name + ".stage" + s;
            Tensor y = Layers.bn(p, b + ".bn1", Layers.conv(p, b + ".conv1", h, 2, 1, false), training).relu();
            y = Layers.bn(p, b + ".bn2", Layers.conv(p, b + ".conv2", y, 1, 1, false), training);
            Tensor sc = Layers.bn(p, b + ".down_bn", Layers.conv(p, b + ".down", h, 2, 0, false), training);
            h = y.add(sc).relu();
            feats.add(h);
        }
        return feats;
    }
}
