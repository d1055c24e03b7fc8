package dev.frugal.depth.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.depth.DepthPolicy;
import dev.frugal.depth.Se3;
import dev.frugal.depth.Sequence;
import dev.frugal.depth.SequenceIo;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceGeneratorTest {

    @Test
    void seededRoundTripAndPhysics(@TempDir Path dir) {
        SimConfig cfg = SimConfig.of(40, 32, 12, VibrationIntensity.STRONG, 5);
        Sequence a = SequenceGenerator.generate("a", cfg, null).sequence();
        Sequence b = SequenceGenerator.generate("b", cfg, null).sequence();
        for (int i = 0; i < a.frames(); i++) assertArrayEquals(a.rgb().get(i), b.rgb().get(i), "same seed, frame " + i);
        // the IMU runs at imuRate, time-aligned with the frames, and covers every pair
        assertEquals((a.frames() - 1) * cfg.imuPerFrame() + 1, a.imuTimes().length);
        for (int k = 0; k + 1 < a.frames(); k++) {
            int[] win = a.imuWindow(k);
            assertEquals(cfg.imuPerFrame() + 1, win[1] - win[0] + 1, "window of pair " + k);
        }
        // the capsule moves forward; depth is positive and below the give-up distance
        assertTrue(a.poses().get(a.frames() - 1).t()[2] > a.poses().get(0).t()[2]);
        for (float[] d : a.depth()) for (float v : d) assertTrue(v > 0 && v <= 16.0001f);
        // gyro integrates to the relative rotation (noise-free part, small-angle sum)
        SequenceIo.write(dir.resolve("s"), a, Map.of("seed", 5));
        Sequence r = SequenceIo.read(dir.resolve("s"), DepthPolicy.REFUSE);
        assertEquals(a.frames(), r.frames());
        assertArrayEquals(a.rgb().get(3), r.rgb().get(3));
        assertArrayEquals(a.depth().get(3), r.depth().get(3));
        Se3 p = r.poses().get(4), q = a.poses().get(4);
        for (int i = 0; i < 3; i++) assertEquals(q.t()[i], p.t()[i], 1e-12);
        assertEquals(VibrationIntensity.STRONG, r.vibration());
    }

    @Test
    void gyroMatchesRelativeRotation() {
        SimConfig cfg = SimConfig.of(16, 16, 3, VibrationIntensity.MODERATE, 9);
        ColonTube tube = ColonTube.colon(9);
        CapsuleMotion m = CapsuleMotion.simulate(tube, cfg, 0.5);
        // integrate the exact body rate at 1 kHz from 0.1 to 0.2 s and compare with R(0.1)ᵀR(0.2)
        Se3 acc = Se3.identity();
        for (int i = 100; i < 200; i++) {
            double[] g = m.imuExact(i * 1e-3);
            acc = acc.compose(Se3.of(new double[] {g[3] * 1e-3, g[4] * 1e-3, g[5] * 1e-3}, new double[3]));
        }
        Se3 rel = new Se3(m.pose(0.1).inverse().compose(m.pose(0.2)).r(), new double[3]);
        double err = rel.inverse().compose(acc).angle();
        assertTrue(err < 1e-3, "integrated gyro differs from the pose change by " + err + " rad");
    }
}
