package dev.frugal.depth;

import dev.frugal.depth.sim.VibrationIntensity;
import java.util.List;

/**
 * The vision-only vs V² experiment: for each vibration intensity, {@code trainSequences} + {@code testSequences}
 * rendered sequences of {@code frames} frames (the same data for both models and all training seeds), then each model
 * trained {@code epochs} epochs from each seed and evaluated on the test sequences.
 */
public record ExperimentConfig(int width, int height, int trainSequences, int testSequences, int frames, int epochs, int batchSize,
                               List<Long> seeds, List<VibrationIntensity> intensities, long dataSeed) {

    public ExperimentConfig {
        if (trainSequences < 1 || testSequences < 1) throw new IllegalArgumentException("need at least one train and one test sequence");
        if (frames < 3) throw new IllegalArgumentException("sequences need at least 3 frames, got " + frames);
        if (seeds.isEmpty() || intensities.isEmpty()) throw new IllegalArgumentException("need seeds and intensities");
        seeds = List.copyOf(seeds);
        intensities = List.copyOf(intensities);
    }

    /** The bench's full setting: 80×64, 6+2 sequences of 60 frames per intensity, 8 epochs (696 steps), 3 seeds. */
    public static ExperimentConfig full() {
        return new ExperimentConfig(80, 64, 6, 2, 60, 8, 4, List.of(1L, 2L, 3L), List.of(VibrationIntensity.values()), 2024);
    }

    /** A smoke run: 64×48, 2+1 sequences of 12 frames, 1 epoch, 3 seeds. */
    public static ExperimentConfig quick() {
        return new ExperimentConfig(64, 48, 2, 1, 12, 1, 4, List.of(1L, 2L, 3L), List.of(VibrationIntensity.values()), 2024);
    }
}
