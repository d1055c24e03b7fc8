package dev.frugal.depth;

import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * The self-supervised losses of SfMLearner/Monodepth2 that V²-SfMLearner trains with (paper Sec. III-D):
 * <pre>pe(a, b) = α/2 · (1 − SSIM(a, b)) + (1 − α) · |a − b|₁,  α = 0.85                    (photometric)
 * L_p = mean_p min( min_s pe(I_t, I_{s→t}),  min_s pe(I_t, I_s) + ε )                   (min reprojection + auto-mask)
 * L_s = mean |∂x d*| e^{−|∂x I_t|} + |∂y d*| e^{−|∂y I_t|},  d* = d / mean(d)          (edge-aware smoothness)</pre>
 * SSIM over 3×3 windows of the reflection-padded images with C1 = 0.01², C2 = 0.03². The identity reprojection
 * (unwarped source) in the minimum is the auto-mask: pixels that look the same without motion (static camera,
 * textureless lumen) stop contributing; ε is Monodepth2's tiny random tie-breaker.
 */
public final class Losses {
    public static final double ALPHA = 0.85, C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;

    private Losses() {}

    /** Per-pixel dissimilarity {@code (B, 1, H, W)} = (1 − SSIM)/2 clamped to [0, 1], channel-averaged. */
    public static Tensor ssimDistance(Tensor x, Tensor y) {
        Tensor xp = ImageOps.reflectionPad(x, 1), yp = ImageOps.reflectionPad(y, 1);
        Tensor mx = ImageOps.avgPool2d(xp, 3, 1), my = ImageOps.avgPool2d(yp, 3, 1);
        Tensor sx = ImageOps.avgPool2d(xp.square(), 3, 1).sub(mx.square());
        Tensor sy = ImageOps.avgPool2d(yp.square(), 3, 1).sub(my.square());
        Tensor sxy = ImageOps.avgPool2d(xp.mul(yp), 3, 1).sub(mx.mul(my));
        Tensor n = mx.mul(my).mul(2).add(C1).mul(sxy.mul(2).add(C2));
        Tensor d = mx.square().add(my.square()).add(C1).mul(sx.add(sy).add(C2));
        return n.div(d).neg().add(1).div(2).clamp(0, 1);
    }

    /** pe(pred, target) {@code (B, 1, H, W)}. */
    public static Tensor photometric(Tensor pred, Tensor target) {
        Tensor l1 = ImageOps.mean(pred.sub(target).abs(), new long[] {1}, true);
        Tensor ssim = ImageOps.mean(ssimDistance(pred, target), new long[] {1}, true);
        return ssim.mul(ALPHA).add(l1.mul(1 - ALPHA));
    }

    /**
     * L_p with per-pixel minimum reprojection and auto-masking: {@code warped} the sources warped into the target,
     * {@code sources} the same sources unwarped, all {@code (B, 3, H, W)}. Returns {loss (scalar), fraction of pixels
     * where a warped source won (the auto-mask)}.
     */
    public static Tensor[] minReprojection(Tensor target, List<Tensor> warped, List<Tensor> sources, Rng rng) {
        List<Tensor> all = new ArrayList<>();
        for (Tensor w : warped) all.add(photometric(w, target));
        Tensor reproj = Tensors.cat(all, 1);                                                 // (B, S, H, W)
        List<Tensor> ident = new ArrayList<>();
        for (Tensor s : sources) ident.add(photometric(s, target));
        Tensor identity = Tensors.cat(ident, 1);
        identity = identity.add(Tensors.randn(rng, identity.shape()).mul(1e-5));          // tie-breaker
        Tensor minRe = ImageOps.min(reproj, 1, true), minId = ImageOps.min(identity, 1, true);
        Tensor combined = ImageOps.minimum(minRe, minId);                                   // (B, 1, H, W)
        Tensor mask = minRe.sub(minId).lt(0);                                              // a warped source explains the pixel
        return new Tensor[] {combined.mean(), mask.to(dev.frugal.tensor.DType.F32).mean()};
    }

    /** Edge-aware smoothness of {@code disp (B, 1, h, w)} against {@code image (B, 3, h, w)} of the same size. */
    public static Tensor smoothness(Tensor disp, Tensor image) {
        Tensor d = disp.div(ImageOps.mean(disp, new long[] {2, 3}, true).add(1e-7));
        long h = d.size(2), w = d.size(3);
        Tensor dx = d.narrow(3, 0, w - 1).sub(d.narrow(3, 1, w - 1)).abs();
        Tensor dy = d.narrow(2, 0, h - 1).sub(d.narrow(2, 1, h - 1)).abs();
        Tensor ix = ImageOps.mean(image.narrow(3, 0, w - 1).sub(image.narrow(3, 1, w - 1)).abs(), new long[] {1}, true);
        Tensor iy = ImageOps.mean(image.narrow(2, 0, h - 1).sub(image.narrow(2, 1, h - 1)).abs(), new long[] {1}, true);
        return dx.mul(ix.neg().exp()).mean().add(dy.mul(iy.neg().exp()).mean());
    }
}
