package dev.frugal.depth;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.ImageOps;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.List;

/**
 * Inverse warping (SfMLearner/Monodepth2 view synthesis): a target pixel {@code p_t} with depth {@code D_t(p_t)} lands
 * in the source view at
 * <pre>p_s ~ K · T_s←t · D_t(p_t) · K⁻¹ · p_t</pre>
 * (paper Eq. 1, Monodepth2's {@code BackprojectDepth} + {@code Project3D}), and the synthesised target is the source
 * image sampled there bilinearly (border padding, corners aligned with pixel centres: {@code grid_sample}'s semantics,
 * computed by {@link ImageOps#bilinearSampleBorder}, checked against {@code grid_sample} and a plain-Java
 * reference in the tests). Poses
 * are {@code (B, 3, 4)} {@code [R | t]}; axis-angle vectors become rotations by Rodrigues' formula.
 */
public final class Warp {
    private Warp() {}

    /** Homogeneous pixel coordinates {@code (1, 3, H·W)}: rows u, v, 1 in row-major pixel order. */
    public static Tensor pixelGrid(int h, int w) {
        float[] g = new float[3 * h * w];
        for (int v = 0; v < h; v++)
            for (int u = 0; u < w; u++) {
                int p = v * w + u;
                g[p] = u;
                g[h * w + p] = v;
                g[2 * h * w + p] = 1;
            }
        return Tensors.fromFloats(g, 1, 3, (long) h * w);
    }

    /** K {@code (3, 3)} and its inverse as tensors. */
    public static Tensor[] intrinsics(Intrinsics k) {
        double[] m = k.matrix();
        float[] a = new float[9], inv = {(float) (1 / k.fx()), 0, (float) (-k.cx() / k.fx()), 0, (float) (1 / k.fy()),
                (float) (-k.cy() / k.fy()), 0, 0, 1};
        for (int i = 0; i < 9; i++) a[i] = (float) m[i];
        return new Tensor[] {Tensors.fromFloats(a, 3, 3), Tensors.fromFloats(inv, 3, 3)};
    }

    /**
     * Source image sampled where each target pixel lands: {@code source (B, C, H, W)}, target depth
     * {@code (B, 1, H, W)}, {@code sourceFromTarget (B, 3, 4)}, K and K⁻¹ {@code (3, 3)} → {@code (B, C, H, W)}.
     */
    public static Tensor inverseWarp(Tensor source, Tensor depth, Tensor sourceFromTarget, Tensor k, Tensor kInv) {
        long b = depth.size(0), h = depth.size(2), w = depth.size(3);
        Tensor grid = sourceGrid(depth, sourceFromTarget, k, kInv);
        return ImageOps.bilinearSampleBorder(source, grid.view(b, h, w, 2));
    }

    /** {@link #inverseWarp} through libtorch's {@code grid_sample} (the fast path for inference; see the class note). */
    public static Tensor inverseWarpGridSample(Tensor source, Tensor depth, Tensor sourceFromTarget, Tensor k, Tensor kInv) {
        long b = depth.size(0), h = depth.size(2), w = depth.size(3);
        Tensor grid = sourceGrid(depth, sourceFromTarget, k, kInv);
        return ImageOps.gridSampleSafe(source, grid.view(b, h, w, 2), ImageOps.Padding.BORDER, true);
    }

    /** Normalised sampling grid {@code (B, H·W, 2)} of {@link #inverseWarp}. */
    static Tensor sourceGrid(Tensor depth, Tensor sourceFromTarget, Tensor k, Tensor kInv) {
        long b = depth.size(0), h = depth.size(2), w = depth.size(3);
        Tensor pix = pixelGrid((int) h, (int) w);                                    // (1, 3, N)
        Tensor cam = kInv.matmul(pix).mul(depth.view(b, 1, h * w));                  // (B, 3, N)  D·K⁻¹p
        Tensor rot = sourceFromTarget.narrow(2, 0, 3), trans = sourceFromTarget.narrow(2, 3, 1);
        Tensor inSource = rot.matmul(cam).add(trans);                                // (B, 3, N)
        Tensor proj = k.matmul(inSource);                                            // (B, 3, N)
        Tensor z = proj.narrow(1, 2, 1).clampMin(1e-7);
        Tensor u = proj.narrow(1, 0, 1).div(z), v = proj.narrow(1, 1, 1).div(z);    // (B, 1, N)
        Tensor gx = u.div((w - 1) / 2.0).sub(1), gy = v.div((h - 1) / 2.0).sub(1);
        return Tensors.cat(List.of(gx, gy), 1).transpose(1, 2);                      // (B, N, 2)
    }

    /** Rodrigues: axis-angle {@code (B, 3)} → rotation {@code (B, 3, 3)}; R = I + sin θ [k]× + (1 − cos θ) [k]×². */
    public static Tensor rotationFromAxisAngle(Tensor w) {
        long b = w.size(0);
        Tensor theta = w.norm(new long[] {1}, true).add(1e-7);                       // (B, 1)
        Tensor axis = w.div(theta);
        Tensor kx = axis.narrow(1, 0, 1), ky = axis.narrow(1, 1, 1), kz = axis.narrow(1, 2, 1), zero = Tensors.zerosLike(kx);
        Tensor skew = Tensors.cat(List.of(zero, kz.neg(), ky, kz, zero, kx.neg(), ky.neg(), kx, zero), 1).view(b, 3, 3);
        Tensor eye = Tensors.fromFloats(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 1, 3, 3);
        Tensor s = theta.sin().view(b, 1, 1), c = theta.cos().view(b, 1, 1);
        return eye.add(skew.mul(s)).add(skew.matmul(skew).mul(c.neg().add(1)));
    }

    /**
     * Pose network output to a transform {@code (B, 3, 4)}: {@code [R(w) | t]}, or its inverse {@code [Rᵀ | −Rᵀt]}
     * when {@code invert} (Monodepth2's {@code transformation_from_parameters}).
     */
    public static Tensor poseVecToMatrix(Tensor axisAngle, Tensor translation, boolean invert) {
        long b = axisAngle.size(0);
        Tensor r = rotationFromAxisAngle(axisAngle);
        Tensor t = translation.view(b, 3, 1);
        if (invert) {
            r = r.transpose(1, 2);
            t = r.matmul(t).neg();
        }
        return Tensors.cat(List.of(r, t), 2);
    }

    /** A {@link Se3} as a {@code (1, 3, 4)} tensor. */
    public static Tensor toTensor(Se3 p) {
        double[] m = p.rowMajor34();
        float[] f = new float[12];
        for (int i = 0; i < 12; i++) f[i] = (float) m[i];
        return Tensors.fromFloats(f, 1, 3, 4);
    }

    /** Row {@code i} of a {@code (B, 3, 4)} tensor as an {@link Se3}. */
    public static Se3 toSe3(Tensor poses, int i) {
        float[] f = poses.select(0, i).contiguous().toFloatArray();
        double[] m = new double[12];
        for (int j = 0; j < 12; j++) m[j] = f[j];
        return Se3.ofRowMajor(m);
    }

    /**
     * Reference path of {@link #inverseWarp} in plain Java for one {@code (C, H, W)} image (float arrays, row-major),
     * bilinear with border clamping: the oracle the tensor path is tested against.
     */
    public static float[] inverseWarpReference(float[] source, int c, int h, int w, float[] depth, Se3 sourceFromTarget, Intrinsics k) {
        float[] out = new float[c * h * w];
        for (int v = 0; v < h; v++)
            for (int u = 0; u < w; u++) {
                double d = depth[v * w + u];
                double[] p = sourceFromTarget.apply(new double[] {d * (u - k.cx()) / k.fx(), d * (v - k.cy()) / k.fy(), d});
                double z = Math.max(1e-7, p[2]);
                double su = (k.fx() * p[0] + k.cx() * p[2]) / z, sv = (k.fy() * p[1] + k.cy() * p[2]) / z;
                su = Math.max(0, Math.min(w - 1, su));
                sv = Math.max(0, Math.min(h - 1, sv));
                int u0 = (int) Math.floor(su), v0 = (int) Math.floor(sv), u1 = Math.min(w - 1, u0 + 1), v1 = Math.min(h - 1, v0 + 1);
                double fu = su - u0, fv = sv - v0;
                for (int ch = 0; ch < c; ch++) {
                    int o = ch * h * w;
                    double val = (1 - fu) * (1 - fv) * source[o + v0 * w + u0] + fu * (1 - fv) * source[o + v0 * w + u1]
                            + (1 - fu) * fv * source[o + v1 * w + u0] + fu * fv * source[o + v1 * w + u1];
                    out[o + v * w + u] = (float) val;
                }
            }
        return out;
    }
}
