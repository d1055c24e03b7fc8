package dev.frugal.depth.sim;

/**
 * One simulated sequence: image size and field of view, frame and IMU rates, length, vibration, seed.
 *
 * @param imuRate   IMU samples per second; a multiple of {@code frameRate} so that every frame time is an IMU time
 * @param speed     mean forward speed of the capsule (cm/s)
 */
public record SimConfig(int width, int height, double fovDeg, int frames, double frameRate, double imuRate,
                        double speed, VibrationIntensity vibration, long seed) {

    public SimConfig {
        if (width < 8 || height < 8) throw new dev.frugal.InvalidSettingException("image", "must be at least 8x8, got " + width + "x" + height);
        if (frames < 2) throw new IllegalArgumentException("need at least 2 frames, got " + frames);
        if (!(fovDeg > 10 && fovDeg < 170)) throw new dev.frugal.InvalidSettingException("fovDeg", "must be in (10, 170), got " + fovDeg);
        if (!(frameRate > 0)) throw new dev.frugal.InvalidSettingException("frameRate", "must be positive, got " + frameRate);
        double ratio = imuRate / frameRate;
        if (!(ratio >= 2) || Math.abs(ratio - Math.rint(ratio)) > 1e-9)
            throw new dev.frugal.InvalidSettingException("imuRate", "must be an integer multiple (>= 2) of frameRate, got " + imuRate + " / " + frameRate);
        if (!(speed >= 0)) throw new dev.frugal.InvalidSettingException("speed", "must be non-negative, got " + speed);
        java.util.Objects.requireNonNull(vibration, "vibration");
    }

    /** Defaults: 10 frames/s, IMU 100 Hz, 1.5 cm/s, 100° horizontal field of view. */
    public static SimConfig of(int width, int height, int frames, VibrationIntensity vibration, long seed) {
        return new SimConfig(width, height, 100, frames, 10, 100, 1.5, vibration, seed);
    }

    public int imuPerFrame() { return (int) Math.rint(imuRate / frameRate); }
}
