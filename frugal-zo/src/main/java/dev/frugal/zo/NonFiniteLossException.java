package dev.frugal.zo;

/** A perturbed loss was NaN or infinite: training stops, the last good checkpoint is kept. */
public final class NonFiniteLossException extends dev.frugal.UserInputException {
    public NonFiniteLossException(long step, double lossPlus, double lossMinus) {
        super("step " + step + ": loss+ = " + lossPlus + ", loss- = " + lossMinus + " is not finite; training stopped."
                + " Lower lr or eps, or check the data; the last checkpoint is kept");
    }
}
