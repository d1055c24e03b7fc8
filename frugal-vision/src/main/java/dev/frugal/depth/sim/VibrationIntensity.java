package dev.frugal.depth.sim;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How hard the capsule shakes: amplitude of the translational (cm) and rotational (rad) jitter, both the continuous
 * part (random sinusoids of 6–25 Hz) and the ring-down after each wall collision.
 */
public enum VibrationIntensity {
    NONE(0, 0), MODERATE(0.03, Math.toRadians(1.5)), STRONG(0.08, Math.toRadians(4));

    private final double translation;
    private final double rotation;

    VibrationIntensity(double translation, double rotation) {
        this.translation = translation;
        this.rotation = rotation;
    }

    public double translation() { return translation; }

    public double rotation() { return rotation; }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** By CLI name; the message lists the choices. */
    public static VibrationIntensity of(String s) {
        for (VibrationIntensity v : values()) if (v.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) return v;
        throw new IllegalArgumentException("unknown vibration intensity '" + s + "'; choose one of: "
                + Arrays.stream(values()).map(VibrationIntensity::cliName).collect(Collectors.joining(", ")));
    }
}
