package dev.frugal.depth.net;

/**
 * Sizes of the networks and the input resolution they are built for.
 *
 * @param vibration   true for V²-SfMLearner (vibration branch + Fourier fusion), false for the vision-only baseline
 * @param encoderWidths channels of the five encoder levels (depth and pose encoders alike)
 * @param decoderWidths channels of the five depth-decoder levels
 * @param poseScale   factor on the pose decoder's six outputs (Monodepth2: 0.01, for KITTI's ≈ 0.01 rad per frame; the
 *                    capsule under vibration turns 0.05–0.3 rad between frames, see docs/depth.md)
 */
public record ModelConfig(int height, int width, boolean vibration, long[] encoderWidths, long[] decoderWidths, long poseWidth,
                          long vibHidden, double minDepth, double maxDepth, double poseScale) {

    public ModelConfig {
        if (height <= 32 || width <= 32 || height % 2 != 0 || width % 2 != 0)
            throw new dev.frugal.InvalidSettingException("images", "must be larger than 32x32 (the 1/32 features need 2x2) with even sides, got "
                    + width + "x" + height);
        if (encoderWidths.length != 5 || decoderWidths.length != 5)
            throw new IllegalArgumentException("need 5 encoder and 5 decoder widths");
        if (!(minDepth > 0) || !(maxDepth > minDepth)) throw new IllegalArgumentException("need 0 < minDepth < maxDepth");
        if (!(poseScale > 0)) throw new IllegalArgumentException("need poseScale > 0");
        encoderWidths = encoderWidths.clone();
        decoderWidths = decoderWidths.clone();
    }

    /** The CPU-sized default: encoder 16…96 channels, decoder 8…64, LSTM 32, depth range 0.1–20 cm, pose scale 0.1. */
    public static ModelConfig small(int height, int width, boolean vibration) {
        return new ModelConfig(height, width, vibration, new long[] {16, 24, 32, 64, 96}, new long[] {8, 16, 24, 32, 64}, 64, 32, 0.1, 20, 0.1);
    }

    /**
     * The disparity in (0, 1) the depth heads start at: that of the depth halfway (geometrically) between min and max,
     * √(min·max) (≈ 1.4 cm for 0.1–20 cm). Monodepth2's zero bias starts at disparity 0.5, i.e. depth ≈ 2·min.
     */
    public double initialDisparity() {
        double d0 = Math.sqrt(minDepth * maxDepth);
        return (1 / d0 - 1 / maxDepth) / (1 / minDepth - 1 / maxDepth);
    }

    /** Feature size at 1/32 (the stride-2 convolutions round up). */
    long bottleneck(long side) {
        long s = side;
        for (int i = 0; i < 5; i++) s = (s + 1) / 2;
        return s;
    }
}
