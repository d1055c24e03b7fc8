package dev.frugal.depth.sim;

import dev.frugal.depth.Intrinsics;
import dev.frugal.depth.Se3;
import dev.frugal.depth.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/** Renders one sequence of the simulator: frames, depth, poses and the IMU between them. */
public final class SequenceGenerator {
    private SequenceGenerator() {}

    /** Result and the rendering time spent (ms per frame, wall clock). */
    public record Generated(Sequence sequence, double renderMsPerFrame, int collisions) {}

    public static Generated generate(String name, SimConfig cfg, ForkJoinPool pool) {
        ColonTube tube = ColonTube.colon(cfg.seed());
        CapsuleRenderer renderer = CapsuleRenderer.of(tube);
        Intrinsics k = Intrinsics.ofFov(cfg.width(), cfg.height(), cfg.fovDeg());
        double duration = (cfg.frames() - 1) / cfg.frameRate();
        CapsuleMotion motion = CapsuleMotion.simulate(tube, cfg, duration + 0.01);
        List<byte[]> rgb = new ArrayList<>();
        List<float[]> depth = new ArrayList<>();
        List<Se3> poses = new ArrayList<>();
        double[] times = new double[cfg.frames()];
        long t0 = System.nanoTime();
        for (int i = 0; i < cfg.frames(); i++) {
            double t = Math.rint(i / cfg.frameRate() * 1000) / 1000;
            times[i] = t;
            Se3 pose = motion.pose(t);
            CapsuleRenderer.View v = renderer.render(pose, k, pool);
            byte[] px = new byte[v.rgb().length];
            for (int p = 0; p < px.length; p++) px[p] = (byte) Math.round(255 * v.rgb()[p]);
            rgb.add(px);
            depth.add(v.depth());
            poses.add(pose);
        }
        double ms = (System.nanoTime() - t0) / 1e6 / cfg.frames();
        int per = cfg.imuPerFrame();
        int m = (cfg.frames() - 1) * per + 1;
        double[] imuT = new double[m];
        float[][] imu = new float[m][6];
        for (int j = 0; j < m; j++) {
            double t = Math.rint(j / cfg.imuRate() * 1000) / 1000;
            imuT[j] = t;
            double[] s = motion.imuNoisy(t);
            for (int c = 0; c < 6; c++) imu[j][c] = (float) s[c];
        }
        Sequence seq = new Sequence(name, k, rgb, depth, poses, times, imuT, imu, cfg.vibration(), 0);
        return new Generated(seq, ms, motion.collisions().size());
    }
}
