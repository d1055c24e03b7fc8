package dev.frugal.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The libtorch warp against the plain-Java reference, Rodrigues against {@link Se3}, and the metrics' invariances. */
class WarpTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void tensorWarpMatchesReference(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int c = 1 + r.nextInt(3), h = 5 + r.nextInt(12), w = 5 + r.nextInt(12);
        Intrinsics k = new Intrinsics(w * (0.6 + r.nextDouble()), h * (0.6 + r.nextDouble()), w / 2.0 + r.nextDouble(), h / 2.0, w, h);
        float[] img = new float[c * h * w], depth = new float[h * w];
        for (int i = 0; i < img.length; i++) img[i] = (float) r.nextDouble();
        for (int i = 0; i < depth.length; i++) depth[i] = (float) (1 + 3 * r.nextDouble());
        Se3 pose = Se3.of(new double[] {0.1 * r.nextGaussian(), 0.1 * r.nextGaussian(), 0.1 * r.nextGaussian()},
                new double[] {0.2 * r.nextGaussian(), 0.2 * r.nextGaussian(), 0.2 * r.nextGaussian()});
        float[] ref = Warp.inverseWarpReference(img, c, h, w, depth, pose, k);
        try (Scope s = Scope.open()) {
            Tensor[] kk = Warp.intrinsics(k);
            float[] got = Warp.inverseWarp(Tensors.fromFloats(img, 1, c, h, w), Tensors.fromFloats(depth, 1, 1, h, w), Warp.toTensor(pose), kk[0], kk[1])
                    .toFloatArray();
            float[] viaGridSample = Warp.inverseWarpGridSample(Tensors.fromFloats(img, 1, c, h, w), Tensors.fromFloats(depth, 1, 1, h, w),
                    Warp.toTensor(pose), kk[0], kk[1]).toFloatArray();
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], got[i], 2e-4, "seed " + seed + " element " + i);
                assertEquals(ref[i], viaGridSample[i], 2e-4, "grid_sample, seed " + seed + " element " + i);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void rodriguesAndInversionMatchSe3(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = 4;
        float[] w = new float[3 * b], t = new float[3 * b];
        for (int i = 0; i < w.length; i++) { w[i] = (float) (0.8 * r.nextGaussian()); t[i] = (float) r.nextGaussian(); }
        try (Scope s = Scope.open()) {
            Tensor fwd = Warp.poseVecToMatrix(Tensors.fromFloats(w, b, 3), Tensors.fromFloats(t, b, 3), false);
            Tensor inv = Warp.poseVecToMatrix(Tensors.fromFloats(w, b, 3), Tensors.fromFloats(t, b, 3), true);
            for (int i = 0; i < b; i++) {
                Se3 want = Se3.of(new double[] {w[3 * i], w[3 * i + 1], w[3 * i + 2]}, new double[] {t[3 * i], t[3 * i + 1], t[3 * i + 2]});
                Se3 got = Warp.toSe3(fwd, i), gotInv = Warp.toSe3(inv, i);
                for (int j = 0; j < 12; j++) {
                    assertEquals(want.rowMajor34()[j], got.rowMajor34()[j], 1e-5, "seed " + seed);
                    assertEquals(want.inverse().rowMajor34()[j], gotInv.rowMajor34()[j], 1e-5, "seed " + seed);
                }
                double[] back = Se3.logSo3(want.r());
                for (int j = 0; j < 3; j++) if (want.angle() < Math.PI - 1e-3) assertEquals(w[3 * i + j], back[j], 1e-6, "log∘exp, seed " + seed);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32})
    void trajectoryErrorIgnoresScaleOnly(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Se3> gt = new ArrayList<>(), scaled = new ArrayList<>(), noisy = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            double[] w = {0.05 * r.nextGaussian(), 0.05 * r.nextGaussian(), 0.05 * r.nextGaussian()};
            double[] t = {0.1 * r.nextGaussian(), 0.1 * r.nextGaussian(), 0.5 + 0.1 * r.nextGaussian()};
            gt.add(Se3.of(w, t));
            scaled.add(Se3.of(w, new double[] {t[0] * 0.2, t[1] * 0.2, t[2] * 0.2}));
            noisy.add(Se3.of(w, new double[] {t[0] + 0.05, t[1], t[2]}));
        }
        TrajectoryMetrics m = TrajectoryMetrics.ofRelative(scaled, gt);
        assertEquals(0, m.ate(), 1e-9, "seed " + seed);
        assertEquals(5, m.scale(), 1e-9, "seed " + seed);
        assertTrue(TrajectoryMetrics.ofRelative(noisy, gt).ate() > 0.01, "seed " + seed);
    }
}
