package dev.frugal.depth.sim;

import dev.frugal.depth.Se3;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The capsule's trajectory, simulated at 1 kHz: peristaltic waves push it along the centreline
 * ({@code a_z = A·max(0, sin(2πf t + φ))² − c·v_z}), a random lateral force drifts it across the lumen, and when its
 * body (radius 0.55 cm) touches the wall the radial velocity is reflected with restitution 0.3 and the collision
 * excites a decaying oscillation {@code e^{−Δt/τ}·sin(2π f_e Δt)}. Vibration (continuous sinusoids of 6–25 Hz plus the
 * collision ring-downs, scaled by the {@link VibrationIntensity}) jitters the camera's position and orientation. The
 * IMU is the exact kinematics of those poses: specific force {@code f = Rᵀ(a − g)} from second differences and body
 * rate {@code ω = log(R_iᵀ R_{i+1})/dt}, sampled at {@code imuRate} with white noise and a constant bias.
 */
public final class CapsuleMotion {
    static final double DT = 1e-3;
    static final double CAPSULE_RADIUS = 0.55;
    /** Gravity in world coordinates (cm/s²; world y points down like the camera's at rest). */
    static final double[] GRAVITY = {0, 981, 0};
    static final double ACCEL_NOISE = 2.0, GYRO_NOISE = 0.005, ACCEL_BIAS = 1.0, GYRO_BIAS = 0.002;

    /** Poses at 1 kHz ({@code T_world←camera}) and the times of the collisions. */
    private final Se3[] poses;
    private final List<Double> collisions;
    private final double[] accelBias, gyroBias;
    private final SplittableRandom noise;

    private CapsuleMotion(Se3[] poses, List<Double> collisions, SplittableRandom noise) {
        this.poses = poses;
        this.collisions = collisions;
        this.noise = noise;
        this.accelBias = new double[] {ACCEL_BIAS * gauss(noise), ACCEL_BIAS * gauss(noise), ACCEL_BIAS * gauss(noise)};
        this.gyroBias = new double[] {GYRO_BIAS * gauss(noise), GYRO_BIAS * gauss(noise), GYRO_BIAS * gauss(noise)};
    }

    private static double gauss(SplittableRandom r) {
        double u = Math.max(1e-300, r.nextDouble()), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Simulates {@code duration} seconds (plus a margin for the IMU's differences). */
    public static CapsuleMotion simulate(ColonTube tube, SimConfig cfg, double duration) {
        SplittableRandom rnd = new SplittableRandom(cfg.seed() * 7919 + 17);
        int n = (int) Math.ceil(duration / DT) + 3;
        double z = 0.5, vz = cfg.speed(), ox = 0, oy = 0, vx = 0, vy = 0;
        double pf = 0.25 + 0.1 * rnd.nextDouble(), pphase = rnd.nextDouble() * 2 * Math.PI;
        double push = cfg.speed() * 2.2 * 2; // mean of max(0, sin)² is 1/4: A/4 ≈ c·v
        double drag = 2.2;
        double fx = 0, fy = 0; // Ornstein–Uhlenbeck lateral force
        List<Double> hits = new ArrayList<>();
        double[][] base = new double[n][5]; // z, ox, oy, and wobble angles
        double lastHit = -1;
        for (int i = 0; i < n; i++) {
            double t = i * DT;
            double s = Math.max(0, Math.sin(2 * Math.PI * pf * t + pphase));
            vz += DT * (push * s * s - drag * vz);
            fx += DT * (-2 * fx) + Math.sqrt(DT) * 6 * gauss(rnd);
            fy += DT * (-2 * fy) + Math.sqrt(DT) * 6 * gauss(rnd);
            vx += DT * (fx - 0.8 * vx);
            vy += DT * (fy - 0.8 * vy);
            z += DT * vz;
            ox += DT * vx;
            oy += DT * vy;
            double rho = Math.sqrt(ox * ox + oy * oy);
            double room = tube.radius(z, Math.atan2(oy, ox)) - CAPSULE_RADIUS;
            if (rho > room && rho > 0) { // collision: put back on the wall, reflect the radial velocity
                double nx = ox / rho, ny = oy / rho, vr = vx * nx + vy * ny;
                ox = nx * room;
                oy = ny * room;
                if (vr > 0) {
                    vx -= 1.3 * vr * nx;
                    vy -= 1.3 * vr * ny;
                    if (t - lastHit > 0.05) hits.add(t);
                    lastHit = t;
                }
            }
            base[i][0] = z;
            base[i][1] = ox;
            base[i][2] = oy;
        }
        // continuous vibration: 8 random sinusoids per axis, 6–25 Hz
        int k = 8;
        double[][] freq = new double[6][k], ph = new double[6][k];
        for (int a = 0; a < 6; a++) for (int j = 0; j < k; j++) { freq[a][j] = 6 + 19 * rnd.nextDouble(); ph[a][j] = 2 * Math.PI * rnd.nextDouble(); }
        double ringF = 12 + 6 * rnd.nextDouble(), tau = 0.08;
        double[] ringDir = new double[6];
        VibrationIntensity vib = cfg.vibration();
        double wobF = 0.15 + 0.1 * rnd.nextDouble(), wobP = 2 * Math.PI * rnd.nextDouble();
        Se3[] poses = new Se3[n];
        int hitIdx = 0;
        double[][] ringAxes = new double[hits.size()][6];
        for (double[] ax : ringAxes) for (int a = 0; a < 6; a++) ax[a] = gauss(rnd);
        for (int i = 0; i < n; i++) {
            double t = i * DT;
            double[] jit = new double[6];
            for (int a = 0; a < 6; a++) {
                double s = 0;
                for (int j = 0; j < k; j++) s += Math.sin(2 * Math.PI * freq[a][j] * t + ph[a][j]);
                jit[a] = s / Math.sqrt(k / 2.0); // unit RMS
            }
            while (hitIdx < hits.size() && hits.get(hitIdx) < t - 6 * tau) hitIdx++;
            for (int h = hitIdx; h < hits.size() && hits.get(h) <= t; h++) {
                double d = t - hits.get(h), env = 2.5 * Math.exp(-d / tau) * Math.sin(2 * Math.PI * ringF * d);
                for (int a = 0; a < 6; a++) jit[a] += env * ringAxes[h][a];
            }
            double zc = base[i][0];
            double cx = tube.centreX(zc) + base[i][1], cy = tube.centreY(zc) + base[i][2];
            double h = 0.05;
            double tx = (tube.centreX(zc + h) - tube.centreX(zc - h)) / (2 * h), ty = (tube.centreY(zc + h) - tube.centreY(zc - h)) / (2 * h);
            double[] fwd = normalise(new double[] {tx, ty, 1});
            // camera frame: z forward, y down (world +y projected), x = y × z
            double[] down = {0, 1, 0};
            double dd = dot(down, fwd);
            double[] yAx = normalise(new double[] {down[0] - dd * fwd[0], down[1] - dd * fwd[1], down[2] - dd * fwd[2]});
            double[] xAx = cross(yAx, fwd);
            double[] rBase = {xAx[0], yAx[0], fwd[0], xAx[1], yAx[1], fwd[1], xAx[2], yAx[2], fwd[2]};
            double wob = Math.toRadians(6);
            double[] slow = {wob * Math.sin(2 * Math.PI * wobF * t + wobP), wob * Math.cos(2 * Math.PI * 0.7 * wobF * t + wobP),
                    Math.toRadians(20) * Math.sin(2 * Math.PI * 0.05 * t + wobP)};
            double[] rot = {slow[0] + vib.rotation() * jit[3], slow[1] + vib.rotation() * jit[4], slow[2] + vib.rotation() * jit[5]};
            Se3 base0 = new Se3(rBase, new double[] {cx, cy, zc});
            Se3 jitter = Se3.of(rot, new double[] {vib.translation() * jit[0], vib.translation() * jit[1], vib.translation() * jit[2]});
            poses[i] = base0.compose(jitter);
        }
        return new CapsuleMotion(poses, hits, new SplittableRandom(cfg.seed() * 104729 + 3));
    }

    /** Pose {@code T_world←camera} at time t (nearest 1 kHz sample; t is a multiple of 1 ms for frames and IMU). */
    public Se3 pose(double t) { return poses[index(t)]; }

    private int index(double t) {
        int i = (int) Math.rint(t / DT) + 1;
        if (i < 1 || i >= poses.length - 1) throw new IllegalArgumentException("time " + t + " s is outside the simulated span");
        return i;
    }

    /** Collision times (s). */
    public List<Double> collisions() { return List.copyOf(collisions); }

    /** Noise-free IMU at t: {@code {ax, ay, az, gx, gy, gz}} in the camera/IMU frame (cm/s², rad/s). */
    public double[] imuExact(double t) {
        int i = index(t);
        Se3 a = poses[i - 1], b = poses[i], c = poses[i + 1];
        double[] acc = new double[3];
        for (int j = 0; j < 3; j++) acc[j] = (c.t()[j] - 2 * b.t()[j] + a.t()[j]) / (DT * DT) - GRAVITY[j];
        double[] r = b.r();
        double[] f = {r[0] * acc[0] + r[3] * acc[1] + r[6] * acc[2], r[1] * acc[0] + r[4] * acc[1] + r[7] * acc[2],
                r[2] * acc[0] + r[5] * acc[1] + r[8] * acc[2]};
        double[] w = Se3.logSo3(new Se3(b.inverse().r(), new double[3]).compose(new Se3(c.r(), new double[3])).r());
        return new double[] {f[0], f[1], f[2], w[0] / DT, w[1] / DT, w[2] / DT};
    }

    /** IMU at t with white noise and the sequence's constant bias. */
    public double[] imuNoisy(double t) {
        double[] m = imuExact(t);
        for (int j = 0; j < 3; j++) {
            m[j] += accelBias[j] + ACCEL_NOISE * gauss(noise);
            m[3 + j] += gyroBias[j] + GYRO_NOISE * gauss(noise);
        }
        return m;
    }

    private static double dot(double[] a, double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double[] normalise(double[] v) {
        double n = Math.sqrt(dot(v, v));
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }
}
