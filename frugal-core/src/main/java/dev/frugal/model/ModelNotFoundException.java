package dev.frugal.model;

import dev.frugal.io.FrugalIoException;

/** A {@code --model} reference that names neither a model directory nor a model frugal knows how to obtain. */
public final class ModelNotFoundException extends FrugalIoException {
    public ModelNotFoundException(String message) { super(message); }
}
