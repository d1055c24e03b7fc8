package dev.frugal.depth.sim;

import dev.frugal.depth.Intrinsics;
import dev.frugal.depth.Se3;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Renders the {@link ColonTube} seen by a pinhole camera with a point light at its centre: per pixel, Lipschitz-
 * bounded sphere tracing of {@code F} along the ray, then bisection to the wall; shading
 * <pre>I = albedo · (E · max(0, n·l) / r² + ambient) + E · s · (n·l)^shininess / r²</pre>
 * (inverse-square fall-off from the light at the camera, Blinn–Phong specular with h = l because light and eye
 * coincide), exposure {@code 1 − e^{−1.6 I}} (film-like, no hard clipping close to the wall), gamma 2.2. Rows are rendered in parallel on {@code pool}.
 *
 * @param maxDepth   z-depth (cm) at which a ray gives up; such pixels get depth {@code maxDepth} and black
 */
public record CapsuleRenderer(ColonTube tube, double maxDepth, double ambient, double specular, double shininess) {

    public CapsuleRenderer {
        if (!(maxDepth > 0)) throw new IllegalArgumentException("maxDepth must be positive, got " + maxDepth);
    }

    public static CapsuleRenderer of(ColonTube tube) { return new CapsuleRenderer(tube, 8 * tube.baseRadius(), 0.02, 0.35, 40); }

    /** One rendered view: linear-to-gamma RGB in [0, 1], channel-last {@code (H, W, 3)}, z-depth {@code (H, W)} in cm. */
    public record View(int width, int height, float[] rgb, float[] depth) {}

    public View render(Se3 worldFromCamera, Intrinsics k, ForkJoinPool pool) {
        int w = k.width(), h = k.height();
        double zc = worldFromCamera.t()[2];
        TubeField field = new TubeField(tube, zc - maxDepth * 1.2 - 1, zc + maxDepth * 1.2 + 1, 0.004);
        float[] rgb = new float[w * h * 3], depth = new float[w * h];
        Runnable all = () -> IntStream.range(0, h).parallel().forEach(v -> renderRow(v, worldFromCamera, k, field, rgb, depth));
        if (pool == null) IntStream.range(0, h).forEach(v -> renderRow(v, worldFromCamera, k, field, rgb, depth));
        else pool.submit(all).join();
        return new View(w, h, rgb, depth);
    }

    private void renderRow(int v, Se3 pose, Intrinsics k, TubeField field, float[] rgb, float[] depth) {
        double[] r = pose.r(), o = pose.t();
        double alongBound = tube.centreSlopeBound() + tube.radiusSlopeBound(), acrossBound = 1 + tube.angularSlopeBound();
        double energy = 0.9 * tube.baseRadius() * tube.baseRadius();
        for (int u = 0; u < k.width(); u++) {
            double xc = (u - k.cx()) / k.fx(), yc = (v - k.cy()) / k.fy(); // camera ray with z = 1: t is z-depth
            double dx = r[0] * xc + r[1] * yc + r[2], dy = r[3] * xc + r[4] * yc + r[5], dz = r[6] * xc + r[7] * yc + r[8];
            double t = trace(field, o, dx, dy, dz, alongBound, acrossBound);
            int p = v * k.width() + u;
            if (Double.isNaN(t)) {
                depth[p] = (float) maxDepth;
                continue; // black
            }
            depth[p] = (float) t;
            double px = o[0] + t * dx, py = o[1] + t * dy, pz = o[2] + t * dz;
            double[] n = field.normal(px, py, pz);
            double len = Math.sqrt(dx * dx + dy * dy + dz * dz), dist = t * len;
            double cos = -(n[0] * dx + n[1] * dy + n[2] * dz) / len; // l = −ray direction
            double diffuse = energy * Math.max(0, cos) / (dist * dist);
            double spec = cos > 0 ? energy * specular * Math.pow(cos, shininess) / (dist * dist) : 0;
            double[] a = tube.albedo(px, py, pz);
            for (int c = 0; c < 3; c++) {
                double lin = a[c] * (diffuse + ambient) + spec;
                double exposed = 1 - Math.exp(-1.6 * lin); // soft saturation instead of clipping near the wall
                rgb[3 * p + c] = (float) Math.pow(exposed, 1 / 2.2);
            }
        }
    }

    /** Ray parameter (= z-depth) of the first wall hit of {@code o + t·d} (d has camera z = 1), NaN if beyond maxDepth. */
    double trace(TubeField field, double[] o, double dx, double dy, double dz, double alongBound, double acrossBound) {
        // |dF/dt| ≤ |d_xy|·(1 + |∂R/∂θ|/ρ) + |d_z|·(|c'| + |∂R/∂z|): sphere tracing with this Lipschitz bound never
        // steps over the wall
        double dxy = Math.sqrt(dx * dx + dy * dy), lip = dxy * acrossBound + alongBound * Math.abs(dz) + 1e-9;
        double t = 0, f = field.inside(o[0], o[1], o[2]);
        if (f <= 0) return 0; // the camera is in the wall
        double minStep = 0.02 * tube.baseRadius(); // grazing rays: bracket with 0.4 mm steps, then refine
        while (t < maxDepth) {
            double step = Math.max(minStep, 0.9 * f / lip);
            double tn = Math.min(maxDepth, t + step);
            double fn = field.inside(o[0] + tn * dx, o[1] + tn * dy, o[2] + tn * dz);
            if (fn <= 0) return refine(field, o, dx, dy, dz, t, f, tn, fn);
            if (tn >= maxDepth) return Double.NaN;
            t = tn;
            f = fn;
        }
        return Double.NaN;
    }

    /** The root of F in the bracket [a, b] (F(a) > 0 ≥ F(b)) by the Illinois variant of regula falsi. */
    private double refine(TubeField field, double[] o, double dx, double dy, double dz, double a, double fa, double b, double fb) {
        double tol = 1e-7 * tube.baseRadius();
        int side = 0;
        for (int i = 0; i < 60 && b - a > tol; i++) {
            double c = (a * fb - b * fa) / (fb - fa);
            if (!(c > a && c < b)) c = 0.5 * (a + b);
            double fc = field.inside(o[0] + c * dx, o[1] + c * dy, o[2] + c * dz);
            if (fc > 0) {
                a = c;
                fa = fc;
                if (side == 1) fb *= 0.5;
                side = 1;
            } else {
                b = c;
                fb = fc;
                if (side == -1) fa *= 0.5;
                side = -1;
            }
            if (Math.abs(fc) < 1e-9 * tube.baseRadius()) return c;
        }
        return 0.5 * (a + b);
    }
}
