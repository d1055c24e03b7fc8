package dev.frugal.depth;

import dev.frugal.depth.sim.VibrationIntensity;
import java.util.List;
import java.util.Objects;

/**
 * One capsule sequence in memory.
 *
 * @param rgb          per frame, 8-bit RGB channel-last {@code (H, W, 3)}
 * @param depth        per frame, ground-truth z-depth {@code (H, W)} in cm; 0 marks an invalid pixel
 * @param poses        per frame, {@code T_world←camera}
 * @param frameTimes   per frame, seconds, increasing
 * @param imuTimes     IMU sample times (s), increasing
 * @param imu          per IMU sample {@code {ax, ay, az, gx, gy, gz}} (cm/s², rad/s) in the camera frame
 * @param invalidDepth how many depth pixels were masked on reading
 */
public record Sequence(String name, Intrinsics intrinsics, List<byte[]> rgb, List<float[]> depth, List<Se3> poses,
                       double[] frameTimes, double[] imuTimes, float[][] imu, VibrationIntensity vibration,
                       long invalidDepth) {

    public Sequence {
        Objects.requireNonNull(intrinsics, "intrinsics");
        int n = rgb.size();
        if (n < 2) throw new IllegalArgumentException(name + ": a sequence needs at least 2 frames, got " + n);
        if (depth.size() != n || poses.size() != n || frameTimes.length != n)
            throw new IllegalArgumentException(name + ": " + n + " frames but " + depth.size() + " depth maps, " + poses.size()
                    + " poses, " + frameTimes.length + " timestamps");
        if (imuTimes.length != imu.length) throw new IllegalArgumentException(name + ": IMU times and samples differ in count");
        int px = intrinsics.width() * intrinsics.height();
        for (int i = 0; i < n; i++) {
            if (rgb.get(i).length != 3 * px || depth.get(i).length != px)
                throw new IllegalArgumentException(name + ": frame " + i + " does not match the intrinsics' "
                        + intrinsics.width() + "x" + intrinsics.height());
        }
        rgb = List.copyOf(rgb);
        depth = List.copyOf(depth);
        poses = List.copyOf(poses);
    }

    public int frames() { return rgb.size(); }

    public int width() { return intrinsics.width(); }

    public int height() { return intrinsics.height(); }

    /** {@code T_{k+1}←k}: the motion of the camera from frame k to k+1 as a transform of points of frame k. */
    public Se3 relativePose(int k) { return poses.get(k + 1).inverse().compose(poses.get(k)); }

    /** Indices {@code [first, last]} of the IMU samples with {@code t_k ≤ time ≤ t_{k+1}}. */
    public int[] imuWindow(int k) {
        double a = frameTimes[k], b = frameTimes[k + 1];
        int first = lowerBound(imuTimes, a - 1e-9), last = lowerBound(imuTimes, b + 1e-9) - 1;
        return new int[] {first, last};
    }

    static int lowerBound(double[] xs, double v) {
        int lo = 0, hi = xs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (xs[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
