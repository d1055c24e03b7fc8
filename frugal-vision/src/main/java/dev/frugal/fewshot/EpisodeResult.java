package dev.frugal.fewshot;

/**
 * One episode's outcome.
 *
 * @param index       episode number
 * @param accuracy    fraction of the N·Q queries classified correctly
 * @param alignMillis wall time of IDP's alignment (0 for the other methods; fine-tuning's training time for FINETUNE)
 */
public record EpisodeResult(int index, double accuracy, double alignMillis) implements java.io.Serializable {
    public EpisodeResult {
        if (accuracy < 0 || accuracy > 1) throw new IllegalArgumentException("accuracy " + accuracy + " outside [0, 1]");
    }
}
