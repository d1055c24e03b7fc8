package dev.frugal.depth.sim;

/** Seeded 3-D value noise (trilinear with smoothstep) and its fractal sum, in [0, 1]. */
final class Noise {
    private Noise() {}

    private static double lattice(long seed, long x, long y, long z) {
        long h = seed * 0x9E3779B97F4A7C15L + x * 0xBF58476D1CE4E5B9L + y * 0x94D049BB133111EBL + z * 0x2545F4914F6CDD1DL;
        h ^= h >>> 31;
        h *= 0xD6E8FEB86659FD93L;
        h ^= h >>> 32;
        return (h >>> 11) * 0x1.0p-53;
    }

    private static double smooth(double t) { return t * t * (3 - 2 * t); }

    static double value(long seed, double x, double y, double z) {
        long ix = (long) Math.floor(x), iy = (long) Math.floor(y), iz = (long) Math.floor(z);
        double fx = smooth(x - ix), fy = smooth(y - iy), fz = smooth(z - iz);
        double c000 = lattice(seed, ix, iy, iz), c100 = lattice(seed, ix + 1, iy, iz);
        double c010 = lattice(seed, ix, iy + 1, iz), c110 = lattice(seed, ix + 1, iy + 1, iz);
        double c001 = lattice(seed, ix, iy, iz + 1), c101 = lattice(seed, ix + 1, iy, iz + 1);
        double c011 = lattice(seed, ix, iy + 1, iz + 1), c111 = lattice(seed, ix + 1, iy + 1, iz + 1);
        double x00 = c000 + fx * (c100 - c000), x10 = c010 + fx * (c110 - c010);
        double x01 = c001 + fx * (c101 - c001), x11 = c011 + fx * (c111 - c011);
        double y0 = x00 + fy * (x10 - x00), y1 = x01 + fy * (x11 - x01);
        return y0 + fz * (y1 - y0);
    }

    /** Sum of {@code octaves} octaves (gain ½, lacunarity 2), normalised to [0, 1]. */
    static double fbm(long seed, double x, double y, double z, int octaves) {
        double sum = 0, amp = 1, norm = 0, f = 1;
        for (int o = 0; o < octaves; o++) {
            sum += amp * value(seed + o * 101L, x * f, y * f, z * f);
            norm += amp;
            amp *= 0.5;
            f *= 2;
        }
        return sum / norm;
    }
}
