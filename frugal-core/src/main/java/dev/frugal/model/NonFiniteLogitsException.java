package dev.frugal.model;

import dev.frugal.UserInputException;

/**
 * A model produced NaN or infinite logits: its weights (or its config's scales) hold non-finite values, so neither
 * greedy decoding (whose argmax of NaN is an arbitrary token, often end-of-sequence) nor sampling has an answer.
 */
public final class NonFiniteLogitsException extends UserInputException {
    public NonFiniteLogitsException(int position) {
        super("the model's logits are NaN or infinite at generated position " + position + ": its weights hold"
                + " non-finite values (check the checkpoint, e.g. the run that wrote it diverged)");
    }
}
