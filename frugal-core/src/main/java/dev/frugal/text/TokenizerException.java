package dev.frugal.text;

/** A tokenizer that cannot be loaded or used; the message names the file and what to do. */
public final class TokenizerException extends dev.frugal.UserInputException {

    /**
     * @param message what failed and what to do
     * @param cause   the underlying error, or {@code null}
     */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
