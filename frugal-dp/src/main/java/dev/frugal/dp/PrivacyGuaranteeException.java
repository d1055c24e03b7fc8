package dev.frugal.dp;

/**
 * Thrown when an operation would break the differential-privacy guarantee: a step without an accountant, clipped
 * gradients used twice, a noise multiplier of zero. The message names the guarantee at stake and what to do.
 */
public class PrivacyGuaranteeException extends IllegalStateException {
    public PrivacyGuaranteeException(String message) { super(message); }
}
