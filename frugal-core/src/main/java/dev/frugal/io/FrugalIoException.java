package dev.frugal.io;

/** Base of frugal's typed input errors: the message names the input and says what is wrong and what to do. */
public class FrugalIoException extends dev.frugal.UserInputException {
    public FrugalIoException(String message) { super(message); }

    public FrugalIoException(String message, Throwable cause) { super(message, cause); }
}
