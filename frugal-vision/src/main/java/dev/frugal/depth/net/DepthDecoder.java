package dev.frugal.depth.net;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Monodepth2's U-Net depth decoder: from the deepest level up, {@code x = ELU(conv3(x))}, ×2 nearest upsampling,
 * concatenation with the encoder's skip feature, {@code ELU(conv3(·))}; at the four finest levels a sigmoid
 * disparity head whose bias starts at {@code initialLogit} (see {@link ModelConfig#initialDisparity()}). Output disparities in (0, 1), finest first: {@code (B, 1, H/2^s, W/2^s)} for s = 0…3.
 */
final class DepthDecoder {
    static final int SCALES = 4;
    private final Params p;
    private final long[] enc, dec;

    DepthDecoder(Params p, long[] encWidths, long[] decWidths, double initialLogit) {
        this.p = p;
        this.enc = encWidths.clone();
        this.dec = decWidths.clone();
        for (int i = 4; i >= 0; i--) {
            long in = i == 4 ? enc[4] : dec[i + 1];
            Layers.conv(p, "depth_dec.up" + i + ".0", in, dec[i], 3, true);
            long in1 = dec[i] + (i > 0 ? enc[i - 1] : 0);
            Layers.conv(p, "depth_dec.up" + i + ".1", in1, dec[i], 3, true);
            if (i < SCALES) {
                p.weight("depth_dec.disp" + i + ".weight", dec[i] * 9, 1, dec[i], 3, 3);
                p.constant("depth_dec.disp" + i + ".bias", initialLogit, 1);
            }
        }
    }

    List<Tensor> forward(List<Tensor> feats) {
        Tensor x = feats.get(4);
        Tensor[] disp = new Tensor[SCALES];
        for (int i = 4; i >= 0; i--) {
            x = ImageOps.elu(Layers.conv3Reflect(p, "depth_dec.up" + i + ".0", x));
            x = ImageOps.upsampleNearest(x, 2);
            if (i > 0) {
                Tensor skip = feats.get(i - 1);
                if (x.size(2) != skip.size(2) || x.size(3) != skip.size(3)) // odd sizes: match the skip's
                    x = ImageOps.resizeBilinear(x, skip.size(2), skip.size(3), false);
                x = Tensors.cat(List.of(x, skip), 1);
            }
            x = ImageOps.elu(Layers.conv3Reflect(p, "depth_dec.up" + i + ".1", x));
            if (i < SCALES) disp[i] = Layers.conv3Reflect(p, "depth_dec.disp" + i, x).sigmoid();
        }
        List<Tensor> out = new ArrayList<>();
        for (Tensor d : disp) out.add(d);
        return out;
    }
}
