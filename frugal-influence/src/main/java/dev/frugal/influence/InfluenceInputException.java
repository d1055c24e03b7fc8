package dev.frugal.influence;

/**
 * Bad input to an influence run, caught before any score is computed: a malformed CSV, an unknown label column, a
 * single class, checkpoints of another model or data set, a model that has not converged, damping ≤ 0, NaN
 * gradients, a solver that diverged. The message names the input and says what to change; the CLI prints it on one
 * line and exits 2.
 */
public class InfluenceInputException extends dev.frugal.UserInputException {
    public InfluenceInputException(String message) {
        super(message);
    }

    public InfluenceInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
