package dev.frugal.depth.sim;

/**
 * A colon-like tube around a curved centreline {@code c(z) = (cx(z), cy(z), z)} (units: cm). A point {@code p} lies
 * inside when {@code F(p) = R(z, θ) − ρ > 0}, where {@code ρ = |p_xy − c_xy(p_z)|} and {@code θ} its angle; the wall
 * radius
 * <pre>R(z, θ) = R0 · (1 + a·sin(2πz/λ + φ)) · (1 − f · fold(z) · (0.6 + 0.4·cos(3θ + ψ)))</pre>
 * carries semilunar haustral folds ({@code fold} a Gaussian bump every {@code foldSpacing} cm, deepest between the
 * three taeniae). The mucosa's albedo is pink value noise with darker red vessels (ridges of a second noise), looked
 * up in 3-D so that it is seamless around the tube.
 */
public record ColonTube(double baseRadius, double radiusVariation, double radiusWavelength, double foldSpacing,
                        double foldDepth, double foldWidth, double bendAmplitude, double bendWavelength, long seed) {

    public ColonTube {
        if (!(baseRadius > 0)) throw new IllegalArgumentException("baseRadius must be positive, got " + baseRadius);
        if (radiusVariation < 0 || radiusVariation >= 0.5) throw new IllegalArgumentException("radiusVariation must be in [0, 0.5), got " + radiusVariation);
        if (foldDepth < 0 || foldDepth >= 0.6) throw new IllegalArgumentException("foldDepth must be in [0, 0.6), got " + foldDepth);
        if (!(foldSpacing > 0) || !(foldWidth > 0) || !(radiusWavelength > 0) || !(bendWavelength > 0))
            throw new IllegalArgumentException("spacings, widths and wavelengths must be positive");
        if (bendAmplitude < 0 || bendAmplitude / bendWavelength > 0.25)
            throw new IllegalArgumentException("bendAmplitude/bendWavelength must be in [0, 0.25] (gentle bends), got " + bendAmplitude + "/" + bendWavelength);
    }

    /** The default colon: radius 2 cm ± 12 %, folds every 2.5 cm, bends of 1 cm over 8 cm. */
    public static ColonTube colon(long seed) { return new ColonTube(2.0, 0.12, 9.0, 2.5, 0.28, 0.35, 1.0, 8.0, seed); }

    /** A straight cylinder of radius {@code r} (no folds, no bends): the closed-form test scene. */
    public static ColonTube straight(double r) { return new ColonTube(r, 0, 1, 1, 0, 1, 0, 1, 0); }

    /** A seeded phase in [0, 2π) (a SplitMix64 hash: this runs in the ray marcher's inner loop). */
    private double phase(int k) {
        long h = seed * 0x9E3779B97F4A7C15L + k * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53 * 2 * Math.PI;
    }

    /** Centreline x, y at depth z. */
    public double centreX(double z) {
        return bendAmplitude * Math.sin(2 * Math.PI * z / bendWavelength + phase(1))
                + 0.4 * bendAmplitude * Math.sin(2 * Math.PI * z / (2.7 * bendWavelength) + phase(2));
    }

    public double centreY(double z) { return 0.8 * bendAmplitude * Math.sin(2 * Math.PI * z / (1.6 * bendWavelength) + phase(3)); }

    /** Upper bound of |dc/dz| (for the ray marcher's step bound). */
    double centreSlopeBound() { return 2 * Math.PI * bendAmplitude / bendWavelength * (1 + 0.4 / 2.7 + 0.8 / 1.6); }

    /** Haustral fold profile at z: 1 on a fold ridge, → 0 between folds. */
    double foldProfile(double z) {
        double u = z / foldSpacing;
        double d = (u - Math.floor(u) - 0.5) * foldSpacing; // distance to the fold at the middle of each segment
        return Math.exp(-(d * d) / (foldWidth * foldWidth));
    }

    /** Wall radius R(z, θ). */
    public double radius(double z, double theta) {
        double r = baseRadius * (1 + radiusVariation * Math.sin(2 * Math.PI * z / radiusWavelength + radiusPhase()));
        if (foldDepth > 0) r *= 1 - foldDepth * foldProfile(z) * (0.6 + 0.4 * Math.cos(3 * theta + phase(5)));
        return r;
    }

    /** Upper bound of |∂R/∂z| (the ray marcher's step bound along the tube). */
    double radiusSlopeBound() {
        double rMax = baseRadius * (1 + radiusVariation);
        double fold = foldDepth * Math.sqrt(2) * Math.exp(-0.5) / foldWidth; // max |d/dz exp(−d²/w²)| = √2·e^{−½}/w
        double variation = radiusVariation * 2 * Math.PI / radiusWavelength;
        return rMax * (fold + variation);
    }

    /** Upper bound of |∂R/∂θ| / ρ at the wall (step bound across the tube). */
    double angularSlopeBound() {
        return foldDepth * 1.2 * (1 + radiusVariation) / ((1 - radiusVariation) * (1 - foldDepth));
    }

    /** Seeded phase of the radius variation. */
    double radiusPhase() { return phase(4); }

    /** Seeded phase ψ of the folds' three-lobed angular profile. */
    double foldPhase() { return phase(5); }

    /** F(p) = R − ρ: positive inside the lumen, zero on the wall. */
    public double inside(double x, double y, double z) {
        double dx = x - centreX(z), dy = y - centreY(z);
        return radius(z, Math.atan2(dy, dx)) - Math.sqrt(dx * dx + dy * dy);
    }

    /** Unit normal of the wall at p, pointing into the lumen (∇F/|∇F| by central differences). */
    public double[] normal(double x, double y, double z) {
        double h = 1e-4 * baseRadius;
        double gx = inside(x + h, y, z) - inside(x - h, y, z);
        double gy = inside(x, y + h, z) - inside(x, y - h, z);
        double gz = inside(x, y, z + h) - inside(x, y, z - h);
        double n = Math.sqrt(gx * gx + gy * gy + gz * gz);
        return new double[] {gx / n, gy / n, gz / n};
    }

    /** Mucosa albedo (linear RGB) at wall point p. */
    public double[] albedo(double x, double y, double z) {
        double dx = x - centreX(z), dy = y - centreY(z), rho = Math.max(1e-9, Math.sqrt(dx * dx + dy * dy));
        double px = baseRadius * dx / rho, py = baseRadius * dy / rho; // on a cylinder of radius R0: seamless in θ
        double base = Noise.fbm(seed, px * 1.3, py * 1.3, z * 1.3, 3);
        double vesselBig = Math.abs(Noise.fbm(seed + 7, px * 0.7, py * 0.7, z * 0.7, 2) - 0.5);
        double vesselFine = Math.abs(Noise.fbm(seed + 13, px * 2.1, py * 2.1, z * 2.1, 2) - 0.5);
        double v = Math.max(smoothPulse(vesselBig, 0.018), 0.6 * smoothPulse(vesselFine, 0.012));
        double k = 0.85 + 0.3 * base;
        double r = 0.86 * k, g = 0.46 * k, b = 0.40 * k;
        r = r * (1 - v) + 0.55 * v;
        g = g * (1 - v) + 0.10 * v;
        b = b * (1 - v) + 0.13 * v;
        return new double[] {r, g, b};
    }

    private static double smoothPulse(double d, double w) { return d >= w ? 0 : 1 - (d / w) * (d / w); }
}
