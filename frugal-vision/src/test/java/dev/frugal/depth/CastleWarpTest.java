package dev.frugal.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.frugal.data.DatasetName;
import dev.frugal.data.DatasetRegistry;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inverse warping, pose composition and the depth metrics on a real rendered scene with ground truth: ViSP's
 * Castle-simu (Debian visp-images-data, installed at test time through frugal's data code): warping colour frame
 * t+k into frame t with frame t's ground-truth depth and the ground-truth motion {@code cMo_{t+k} · cMo_t⁻¹} must
 * reproduce frame t, far better than with a pose off by 1.1° or 1 cm, or no motion at all. (The depth maps line up
 * with the colour frames: ViSP's tracker test declares a 5 cm depth-camera offset for its own purposes, but the
 * rendered maps reproduce the colour frames without it.)
 */
class CastleWarpTest {
    static final double DEPTH_SCALE = 0.000030518; // metres per unit of the 16-bit maps (ViSP's testGenericTracker)
    static final Intrinsics K = new Intrinsics(700, 700, 320, 240, 640, 480); // Config/chateau.xml
    static Path dir;

    @BeforeAll
    static void install() { dir = DatasetRegistry.atHome().ensure(DatasetName.VISP_CASTLE); }

    static float[] image(int i) throws IOException {
        byte[] b = Files.readAllBytes(dir.resolve(String.format("Image_%04d.pgm", i)));
        int pos = 0, fields = 0;
        int[] v = new int[3];
        String magic = new String(b, 0, 2);
        assertEquals("P5", magic);
        pos = 2;
        while (fields < 3) { // header: width height maxval, whitespace-separated, '#' comments
            while (Character.isWhitespace(b[pos])) pos++;
            if (b[pos] == '#') { while (b[pos] != '\n') pos++; continue; }
            int x = 0;
            while (!Character.isWhitespace(b[pos])) x = 10 * x + (b[pos++] - '0');
            v[fields++] = x;
        }
        pos++;
        assertEquals(K.width(), v[0]);
        assertEquals(K.height(), v[1]);
        float[] out = new float[v[0] * v[1]];
        for (int p = 0; p < out.length; p++) out[p] = (b[pos + p] & 255) / 255f;
        return out;
    }

    static float[] depth(int i) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(String.format("Depth_%04d.bin", i)))).order(ByteOrder.LITTLE_ENDIAN);
        int h = b.getInt(), w = b.getInt();
        assertEquals(K.height(), h);
        assertEquals(K.width(), w);
        float[] d = new float[h * w];
        for (int p = 0; p < d.length; p++) d[p] = (float) ((b.getShort() & 0xFFFF) * DEPTH_SCALE);
        return d;
    }

    static Se3 cMo(int i) throws IOException {
        String[] s = Files.readString(dir.resolve(String.format("Camera_%03d.txt", i))).trim().split("\\s+");
        double[] m = new double[16];
        for (int j = 0; j < 16; j++) m[j] = Double.parseDouble(s[j]);
        return Se3.ofRowMajor(m);
    }

    /** Mean |I_t − warp(I_{t+k})| over pixels with depth, the depth taken as the colour camera's. */
    static double directError(int t, int k, Se3 motion) throws IOException {
        float[] d = depth(t);
        try (Scope s = Scope.open()) {
            Tensor[] kk = Warp.intrinsics(K);
            Tensor dep = Tensors.fromFloats(d, 1, 1, K.height(), K.width());
            Tensor b = Warp.inverseWarp(Tensors.fromFloats(image(t + k), 1, 1, K.height(), K.width()), dep, Warp.toTensor(motion), kk[0], kk[1]);
            Tensor a = Tensors.fromFloats(image(t), 1, 1, K.height(), K.width());
            Tensor valid = dep.gt(0).to(dev.frugal.tensor.DType.F32);
            return a.sub(b).abs().mul(valid).sum().itemDouble() / valid.sum().itemDouble();
        }
    }

    @Test
    void groundTruthDepthAndPoseReproduceTheFrame() throws IOException {
        for (int k = 1; k <= 3; k++) {
            Se3 motion = cMo(1 + k).compose(cMo(1).inverse()); // T_c(t+k)←c(t): pose composition under test too
            double right = directError(1, k, motion);
            double noMotion = directError(1, k, Se3.identity());
            double wrongRotation = directError(1, k, Se3.of(new double[] {0, 0.02, 0}, new double[3]).compose(motion));
            double wrongTranslation = directError(1, k, new Se3(motion.r(), new double[] {motion.t()[0] + 0.01, motion.t()[1], motion.t()[2]}));
            System.out.printf("castle 1<-%d: motion %.4f m %.3f deg; mean |I_t - warp(I_t+k)| GT pose %.4f, no motion %.4f, +1.1 deg %.4f, +1 cm %.4f%n",
                    1 + k, motion.translationNorm(), Math.toDegrees(motion.angle()), right, noMotion, wrongRotation, wrongTranslation);
            assertTrue(right < 0.01, "GT warp error " + right);
            assertTrue(right * 5 < wrongRotation, "a 1.1 deg rotation error must be far worse: " + right + " vs " + wrongRotation);
            assertTrue(right * 2 < wrongTranslation, "a 1 cm translation error must be worse: " + right + " vs " + wrongTranslation);
            assertTrue(right * 1.5 < noMotion, "ignoring the motion must be worse: " + right + " vs " + noMotion);
        }
    }

    @Test
    void metricsOfGroundTruthAgainstItself() throws IOException {
        float[] d = depth(2);
        DepthMetrics m = DepthMetrics.of(d, d, 0.1, 2.0, false);
        assertEquals(0, m.absRel(), 0);
        assertEquals(1, m.a1(), 0);
        float[] scaled = d.clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= 3.7f;
        DepthMetrics ms = DepthMetrics.of(scaled, d, 0.1, 2.0, true);
        assertEquals(0, ms.absRel(), 1e-6, "median scaling removes a global scale");
        assertEquals(1 / 3.7, ms.scale(), 1e-6);
        // the relative poses chain back to the recorded ones
        java.util.List<Se3> rel = new java.util.ArrayList<>();
        for (int i = 1; i < 4; i++) rel.add(cMo(i + 1).compose(cMo(i).inverse()));
        Se3 chained = rel.get(2).compose(rel.get(1)).compose(rel.get(0)).compose(cMo(1));
        for (int j = 0; j < 3; j++) assertEquals(cMo(4).t()[j], chained.t()[j], 1e-9);
        TrajectoryMetrics tm = TrajectoryMetrics.ofRelative(rel, rel);
        assertEquals(0, tm.ate(), 1e-12);
        assertEquals(0, tm.rpeRotDeg(), 1e-6);
    }
}
