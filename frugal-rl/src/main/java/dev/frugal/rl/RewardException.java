package dev.frugal.rl;

/**
 * A reward function threw or returned a non-finite value. The step that asked for it applied nothing and wrote
 * nothing; the message names the reward and the sample.
 */
public final class RewardException extends dev.frugal.UserInputException {
    private final String reward;
    private final int sample;

    public RewardException(String reward, int sample, String message, Throwable cause) {
        super(message, cause);
        this.reward = reward;
        this.sample = sample;
    }

    /** The reward's name. */
    public String reward() { return reward; }

    /** Index of the sample in the step's prompt-major batch. */
    public int sample() { return sample; }
}
