package dev.frugal.depth.sim;

/**
 * The tube's implicit function over a z-range, tabulated for the ray marcher's inner loop: centreline, base radius
 * and fold amplitude per z (linear interpolation on a {@code dz} grid), and the three-lobed angular factor through
 * {@code cos 3θ = 4c³ − 3c}, {@code sin 3θ = 3s − 4s³} with {@code c, s} from the offset itself (no trigonometry per
 * evaluation). Outside the range it falls back to {@link ColonTube#inside}. Same values as the analytic form up to
 * the interpolation error (below 1e-5 cm at the default grid; exact for a straight tube).
 */
final class TubeField {
    private final ColonTube tube;
    private final double z0, dz;
    private final double[] cx, cy, rBase, fold;
    private final double cosPsi, sinPsi;

    TubeField(ColonTube tube, double zMin, double zMax, double dz) {
        this.tube = tube;
        this.z0 = zMin;
        this.dz = dz;
        int n = (int) Math.ceil((zMax - zMin) / dz) + 2;
        cx = new double[n];
        cy = new double[n];
        rBase = new double[n];
        fold = new double[n];
        for (int i = 0; i < n; i++) {
            double z = zMin + i * dz;
            cx[i] = tube.centreX(z);
            cy[i] = tube.centreY(z);
            fold[i] = tube.foldDepth() * tube.foldProfile(z);
            rBase[i] = tube.baseRadius() * (1 + tube.radiusVariation() * Math.sin(2 * Math.PI * z / tube.radiusWavelength() + tube.radiusPhase()));
        }
        cosPsi = Math.cos(tube.foldPhase());
        sinPsi = Math.sin(tube.foldPhase());
    }

    double inside(double x, double y, double z) {
        double u = (z - z0) / dz;
        int i = (int) Math.floor(u);
        if (i < 0 || i >= cx.length - 1) return tube.inside(x, y, z);
        double f = u - i;
        double ox = x - (cx[i] + f * (cx[i + 1] - cx[i])), oy = y - (cy[i] + f * (cy[i + 1] - cy[i]));
        double rho = Math.sqrt(ox * ox + oy * oy);
        double r = rBase[i] + f * (rBase[i + 1] - rBase[i]);
        double a = fold[i] + f * (fold[i + 1] - fold[i]);
        if (a > 0) {
            double c = rho > 0 ? ox / rho : 1, s = rho > 0 ? oy / rho : 0;
            double c3 = c * (4 * c * c - 3), s3 = s * (3 - 4 * s * s);
            r *= 1 - a * (0.6 + 0.4 * (c3 * cosPsi - s3 * sinPsi)); // cos(3θ + ψ)
        }
        return r - rho;
    }

    double[] normal(double x, double y, double z) {
        double h = 1e-4 * tube.baseRadius();
        double gx = inside(x + h, y, z) - inside(x - h, y, z);
        double gy = inside(x, y + h, z) - inside(x, y - h, z);
        double gz = inside(x, y, z + h) - inside(x, y, z - h);
        double n = Math.sqrt(gx * gx + gy * gy + gz * gz);
        return new double[] {gx / n, gy / n, gz / n};
    }
}
