package dev.frugal.rl;

/**
 * A verifiable reward: {@code (prompt, completion) → r}. Plain Java; it must return a finite value (a NaN, an
 * infinity or an exception stops the training step, see {@link Rewards}).
 */
@FunctionalInterface
public interface RewardFunction {
    double score(String prompt, String completion);

    /** A reward with a name for errors and metrics. */
    static Named named(String name, RewardFunction fn) { return new Named(name, fn); }

    /** A reward function with the name that errors and metrics use. */
    record Named(String name, RewardFunction fn) {
        public Named {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("a reward needs a name");
            java.util.Objects.requireNonNull(fn, "fn");
        }
    }
}
