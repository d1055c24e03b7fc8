package dev.frugal.depth;

import java.util.Arrays;

/**
 * A rigid transform {@code T = [R | t]} mapping points of frame B into frame A ({@code p_A = R p_B + t}), written
 * {@code T_A←B}. R is row-major 3×3. Plain double math for the simulator and the metrics; the batched tensor form the
 * networks use is {@link Warp#poseVecToMatrix}.
 */
public record Se3(double[] r, double[] t) {

    public Se3 {
        if (r.length != 9 || t.length != 3) throw new IllegalArgumentException("Se3 needs 9 rotation and 3 translation values");
        r = r.clone();
        t = t.clone();
    }

    public static Se3 identity() { return new Se3(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, new double[3]); }

    /** From the first 12 values of a row-major 3×4 (or 4×4) matrix. */
    public static Se3 ofRowMajor(double[] m) {
        return new Se3(new double[] {m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]}, new double[] {m[3], m[7], m[11]});
    }

    /** Row-major 3×4 {@code [R | t]}. */
    public double[] rowMajor34() {
        return new double[] {r[0], r[1], r[2], t[0], r[3], r[4], r[5], t[1], r[6], r[7], r[8], t[2]};
    }

    /** {@code this ∘ o}: {@code T_A←B · T_B←C = T_A←C}. */
    public Se3 compose(Se3 o) {
        double[] rr = new double[9], tt = new double[3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) rr[3 * i + j] = r[3 * i] * o.r[j] + r[3 * i + 1] * o.r[3 + j] + r[3 * i + 2] * o.r[6 + j];
            tt[i] = r[3 * i] * o.t[0] + r[3 * i + 1] * o.t[1] + r[3 * i + 2] * o.t[2] + t[i];
        }
        return new Se3(rr, tt);
    }

    public Se3 inverse() {
        double[] rt = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
        double[] tt = new double[3];
        for (int i = 0; i < 3; i++) tt[i] = -(rt[3 * i] * t[0] + rt[3 * i + 1] * t[1] + rt[3 * i + 2] * t[2]);
        return new Se3(rt, tt);
    }

    public double[] apply(double[] p) {
        return new double[] {r[0] * p[0] + r[1] * p[1] + r[2] * p[2] + t[0], r[3] * p[0] + r[4] * p[1] + r[5] * p[2] + t[1],
                r[6] * p[0] + r[7] * p[1] + r[8] * p[2] + t[2]};
    }

    /** Rodrigues: the rotation by angle |w| about w/|w|, row-major. */
    public static double[] expSo3(double[] w) {
        double th = Math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
        double a, b;
        if (th < 1e-8) { a = 1 - th * th / 6; b = 0.5 - th * th / 24; } else { a = Math.sin(th) / th; b = (1 - Math.cos(th)) / (th * th); }
        double x = w[0], y = w[1], z = w[2];
        return new double[] {1 - b * (y * y + z * z), -a * z + b * x * y, a * y + b * x * z,
                a * z + b * x * y, 1 - b * (x * x + z * z), -a * x + b * y * z,
                -a * y + b * x * z, a * x + b * y * z, 1 - b * (x * x + y * y)};
    }

    /** The axis-angle vector of a rotation (inverse of {@link #expSo3} for angles below π). */
    public static double[] logSo3(double[] m) {
        double c = Math.max(-1, Math.min(1, (m[0] + m[4] + m[8] - 1) / 2));
        double th = Math.acos(c);
        double[] v = {m[7] - m[5], m[2] - m[6], m[3] - m[1]};
        double s = th < 1e-8 ? 0.5 : th / (2 * Math.sin(th));
        return new double[] {v[0] * s, v[1] * s, v[2] * s};
    }

    /** From axis-angle {@code w} and translation {@code t}. */
    public static Se3 of(double[] w, double[] t) { return new Se3(expSo3(w), t); }

    /** Rotation angle in radians. */
    public double angle() { return Math.acos(Math.max(-1, Math.min(1, (r[0] + r[4] + r[8] - 1) / 2))); }

    public double translationNorm() { return Math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]); }

    @Override
    public boolean equals(Object o) { return o instanceof Se3 s && Arrays.equals(r, s.r) && Arrays.equals(t, s.t); }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(r) + Arrays.hashCode(t); }

    @Override
    public String toString() { return "Se3" + Arrays.toString(rowMajor34()); }
}
