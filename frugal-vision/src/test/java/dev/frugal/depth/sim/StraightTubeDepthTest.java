package dev.frugal.depth.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.depth.Intrinsics;
import dev.frugal.depth.Se3;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rendered depth of a straight cylinder against the closed form of the ray–cylinder intersection. */
class StraightTubeDepthTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void depthMatchesClosedForm(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double radius = 1 + 2 * rnd.nextDouble();
        ColonTube tube = ColonTube.straight(radius);
        CapsuleRenderer renderer = CapsuleRenderer.of(tube);
        double[] o = {(rnd.nextDouble() - 0.5) * radius, (rnd.nextDouble() - 0.5) * radius, 3 * rnd.nextDouble()};
        double[] w = {0.3 * (rnd.nextDouble() - 0.5), 0.3 * (rnd.nextDouble() - 0.5), 2 * rnd.nextDouble()};
        Se3 pose = Se3.of(w, o);
        Intrinsics k = Intrinsics.ofFov(40 + rnd.nextInt(40), 30 + rnd.nextInt(30), 60 + 60 * rnd.nextDouble());
        CapsuleRenderer.View view = renderer.render(pose, k, null);
        int checked = 0;
        double[] r = pose.r();
        for (int v = 0; v < k.height(); v++) {
            for (int u = 0; u < k.width(); u++) {
                double xc = (u - k.cx()) / k.fx(), yc = (v - k.cy()) / k.fy();
                double dx = r[0] * xc + r[1] * yc + r[2], dy = r[3] * xc + r[4] * yc + r[5];
                // |o_xy + t d_xy|² = R²  →  a t² + b t + c = 0, depth = t (the camera ray has z = 1)
                double a = dx * dx + dy * dy, b = 2 * (o[0] * dx + o[1] * dy), c = o[0] * o[0] + o[1] * o[1] - radius * radius;
                double t = (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
                float got = view.depth()[v * k.width() + u];
                if (t < renderer.maxDepth() * 0.999) {
                    assertEquals(t, got, 1e-4 * t, "seed " + seed + " pixel (" + u + ", " + v + ")");
                    checked++;
                } else {
                    assertTrue(got >= renderer.maxDepth() * 0.99 || Math.abs(got - t) < 1e-3 * t, "seed " + seed + " far pixel " + got);
                }
            }
        }
        assertTrue(checked > k.width() * k.height() / 2, "seed " + seed + ": too few pixels hit the wall: " + checked);
    }
}
