package dev.frugal.influence.sam;

/**
 * One point of the training trajectory that trajectory influence methods (SAM-GIF, TracIn) sum over.
 *
 * @param step     optimiser steps taken before θ
 * @param lr       the learning rate of the step taken from θ
 * @param interval steps this checkpoint stands for (until the next one)
 * @param theta    the weights θ_t {@code (P)}
 */
public record Checkpoint(long step, double lr, long interval, double[] theta) {
    public Checkpoint {
        if (step < 0 || interval < 0 || !(lr >= 0)) {
            throw new IllegalArgumentException("checkpoint needs step >= 0, interval >= 0, lr >= 0; got " + step + ", "
                    + interval + ", " + lr);
        }
    }
}
