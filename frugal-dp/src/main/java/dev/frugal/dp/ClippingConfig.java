package dev.frugal.dp;

import dev.frugal.InvalidSettingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to clip and how.
 *
 * @param mode        per-layer (per parameter tensor) or flat clipping
 * @param algorithm   how the clipped sum is computed ({@link ClippingAlgorithm#FLASH} by default)
 * @param clip        the overall bound C; in per-layer mode every parameter without an explicit bound gets
 *                    {@code C / √L} (L = number of trainable parameter tensors), so that {@code √(Σ C_l²) = C}
 * @param layerBounds explicit per-parameter bounds {@code C_l} by parameter name (per-layer mode only); the noise is
 *                    then calibrated to {@code √(Σ C_l²)}, which may differ from {@code clip}
 */
public record ClippingConfig(ClipMode mode, ClippingAlgorithm algorithm, double clip, Map<String, Double> layerBounds) {
    public ClippingConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(algorithm, "algorithm");
        if (!(clip > 0) || Double.isInfinite(clip))
            throw new InvalidSettingException("clip", "(the clipping bound C) must be positive and finite, got " + clip);
        layerBounds = Map.copyOf(layerBounds == null ? Map.of() : layerBounds);
        if (mode == ClipMode.FLAT && !layerBounds.isEmpty())
            throw new IllegalArgumentException("per-layer bounds " + layerBounds.keySet() + " given with flat clipping:"
                    + " use ClipMode.PER_LAYER, or drop them");
        layerBounds.forEach((n, c) -> {
            if (!(c > 0) || Double.isInfinite(c))
                throw new IllegalArgumentException("bound of '" + n + "' must be positive and finite, got " + c);
        });
    }

    /** Per-layer clipping with {@code C_l = C/√L}, FlashDP's one-pass algorithm. */
    public static ClippingConfig perLayer(double clip) {
        return new ClippingConfig(ClipMode.PER_LAYER, ClippingAlgorithm.FLASH, clip, Map.of());
    }

    /** Flat clipping to {@code C}, FlashDP's algorithm (norm pass, then summing pass). */
    public static ClippingConfig flat(double clip) {
        return new ClippingConfig(ClipMode.FLAT, ClippingAlgorithm.FLASH, clip, Map.of());
    }

    /** The same with another algorithm. */
    public ClippingConfig withAlgorithm(ClippingAlgorithm a) { return new ClippingConfig(mode, a, clip, layerBounds); }

    /** The same with bound {@code c} for parameter {@code name} (per-layer mode). */
    public ClippingConfig withLayerBound(String name, double c) {
        Map<String, Double> m = new LinkedHashMap<>(layerBounds);
        m.put(name, c);
        return new ClippingConfig(mode, algorithm, clip, m);
    }

    /** The same with bound {@code c} for every one of {@code names} (per-layer mode). */
    public ClippingConfig withEveryLayerBound(List<String> names, double c) {
        Map<String, Double> m = new LinkedHashMap<>(layerBounds);
        for (String n : names) m.put(n, c);
        return new ClippingConfig(mode, algorithm, clip, m);
    }

    /**
     * Each trainable parameter's bound {@code C_l} in per-layer mode, in the order given.
     *
     * @throws IllegalArgumentException when a per-layer bound names no trainable parameter (a typo would silently
     *                                  leave a layer at the default bound)
     */
    public LinkedHashMap<String, Double> boundsFor(List<String> trainable) {
        for (String n : layerBounds.keySet())
            if (!trainable.contains(n)) throw new IllegalArgumentException("per-layer bound given for '" + n
                    + "', which is not a trainable parameter; trainable: " + trainable);
        LinkedHashMap<String, Double> b = new LinkedHashMap<>();
        double dflt = clip / Math.sqrt(trainable.size());
        for (String n : trainable) b.put(n, layerBounds.getOrDefault(n, dflt));
        return b;
    }

    /** The L2 sensitivity of the clipped sum to one example: {@code √(Σ C_l²)} per layer, {@code C} flat. */
    public double sensitivity(List<String> trainable) {
        if (mode == ClipMode.FLAT) return clip;
        double s = 0;
        for (double c : boundsFor(trainable).values()) s += c * c;
        return Math.sqrt(s);
    }
}
