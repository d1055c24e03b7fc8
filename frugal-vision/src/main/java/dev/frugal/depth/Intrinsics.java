package dev.frugal.depth;

/**
 * Pinhole intrinsics in pixels for images of {@code width × height}; pixel {@code (u, v)} (integer indices, centres)
 * sees the ray {@code ((u − cx)/fx, (v − cy)/fy, 1)} in the camera frame (x right, y down, z forward).
 */
public record Intrinsics(double fx, double fy, double cx, double cy, int width, int height) {

    public Intrinsics {
        if (!(fx > 0) || !(fy > 0) || !Double.isFinite(fx) || !Double.isFinite(fy))
            throw new IllegalArgumentException("focal lengths must be positive and finite, got fx=" + fx + " fy=" + fy);
        if (!Double.isFinite(cx) || !Double.isFinite(cy))
            throw new IllegalArgumentException("principal point must be finite, got cx=" + cx + " cy=" + cy);
        if (width < 1 || height < 1) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }

    /** A camera whose horizontal field of view is {@code fovDeg}, square pixels, centred principal point. */
    public static Intrinsics ofFov(int width, int height, double fovDeg) {
        double f = (width / 2.0) / Math.tan(Math.toRadians(fovDeg) / 2);
        return new Intrinsics(f, f, (width - 1) / 2.0, (height - 1) / 2.0, width, height);
    }

    /** The same camera for images resized to {@code w × h} (pixel centres kept aligned at the corners). */
    public Intrinsics resized(int w, int h) {
        double sx = (w - 1) / (double) Math.max(1, width - 1), sy = (h - 1) / (double) Math.max(1, height - 1);
        return new Intrinsics(fx * sx, fy * sy, cx * sx, cy * sy, w, h);
    }

    /** Row-major 3×3 K. */
    public double[] matrix() { return new double[] {fx, 0, cx, 0, fy, cy, 0, 0, 1}; }
}
