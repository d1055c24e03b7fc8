package dev.frugal.depth.net;

/**
 * Sizes of the networks and the input resolution they are built for.
 *
 * @param vibration   true for V²-SfMLearner (vibration branch + Fourier fusion), false for the vision-only baseline
 * @param encoderWidths channels of the five encoder levels (depth and pose encoders alike)
 * @param decoderWidths channels of the five depth-decoder levels
 */
public record ModelConfig(int height, int width, boolean vibration, long[] encoderWidths, long[] decoderWidths, long poseWidth,
                          long vibHidden, double minDepth, double maxDepth) {

    public ModelConfig {
        if (height <= 32 || width <= 32 || height % 2 != 0 || width % 2 != 0)
            throw new dev.frugal.InvalidSettingException("images", "must be larger than 32x32 (the 1/32 features need 2x2) with even sides, got "
                    + width + "x" + height);
        if (encoderWidths.length != 5 || decoderWidths.length != 5)
            throw new IllegalArgumentException("need 5 encoder and 5 decoder widths");
        if (!(minDepth > 0) || !(maxDepth > minDepth)) throw new IllegalArgumentException("need 0 < minDepth < maxDepth");
        encoderWidths = encoderWidths.clone();
        decoderWidths = decoderWidths.clone();
    }

    /** The CPU-sized default: encoder 16…96 channels, decoder 8…64, LSTM 32, depth range 0.1–20 cm. */
    public static ModelConfig small(int height, int width, boolean vibration) {
        return new ModelConfig(height, width, vibration, new long[] {16, 24, 32, 64, 96}, new long[] {8, 16, 24, 32, 64}, 64, 32, 0.1, 20);
    }

    /** Feature size at 1/32 (the stride-2 convolutions round up). */
    long bottleneck(long side) {
        long s = side;
        for (int i = 0; i < 5; i++) s = (s + 1) / 2;
        return s;
    }
}
