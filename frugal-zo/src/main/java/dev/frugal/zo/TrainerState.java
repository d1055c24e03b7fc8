package dev.frugal.zo;

import java.util.List;

/**
 * What a ZO checkpoint records besides the parameters: enough to continue on the identical trajectory and to replay
 * the run from its scalars.
 *
 * @param format     {@code "frugal-zo-checkpoint/1"}
 * @param completed  steps completed (the next step index)
 * @param runSeed    run seed (step seeds derive from it)
 * @param eps        ε
 * @param lr         learning rate
 * @param weightDecay weight decay
 * @param storage    storage dtype name of the offloaded blocks
 * @param history    every step so far: seed, losses, projected gradient, learning rate
 * @param rng        the z stream of the run ({@link ZoRng}); absent in checkpoints written before the choice existed,
 *                   which all used MeZO's
 * @param tuned      the parameters tuned ({@link TunedParameters#toString()}: {@code all}, {@code head}, ...); a
 *                   checkpoint written before subsets existed has none and tuned {@code all}
 * @param samples    n-SPSA's perturbations per step ({@link ZoHyperparameters#samples()}); a checkpoint written before
 *                   n-SPSA existed has none (read as 0) and used one
 */
public record TrainerState(String format, long completed, long runSeed, double eps, double lr, double weightDecay,
                           String storage, List<ZoStep> history, ZoRng rng, String tuned, int samples) {
    public static final String FORMAT = "frugal-zo-checkpoint/1";

    /** A state of a run on MeZO's z stream that tunes every parameter. */
    public TrainerState(String format, long completed, long runSeed, double eps, double lr, double weightDecay,
                        String storage, List<ZoStep> history) {
        this(format, completed, runSeed, eps, lr, weightDecay, storage, history, ZoRng.MEZO, TunedParameters.ALL.toString());
    }

    /** A state of a run on {@code rng}'s z stream that tunes every parameter. */
    public TrainerState(String format, long completed, long runSeed, double eps, double lr, double weightDecay,
                        String storage, List<ZoStep> history, ZoRng rng) {
        this(format, completed, runSeed, eps, lr, weightDecay, storage, history, rng, TunedParameters.ALL.toString());
    }

    /** A state of a run on MeZO's z stream that tunes {@code tuned}. */
    public TrainerState(String format, long completed, long runSeed, double eps, double lr, double weightDecay,
                        String storage, List<ZoStep> history, String tuned) {
        this(format, completed, runSeed, eps, lr, weightDecay, storage, history, ZoRng.MEZO, tuned);
    }

    /** A state of a run with one perturbation per step. */
    public TrainerState(String format, long completed, long runSeed, double eps, double lr, double weightDecay,
                        String storage, List<ZoStep> history, ZoRng rng, String tuned) {
        this(format, completed, runSeed, eps, lr, weightDecay, storage, history, rng, tuned, 1);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public TrainerState {
        if (samples == 0) samples = 1; // written before n-SPSA: one perturbation per step
        if (samples < 0) throw new IllegalArgumentException("checkpoint says " + samples + " perturbations per step");
        if (rng == null) rng = ZoRng.MEZO;
        history = List.copyOf(history);
        if (tuned == null) tuned = TunedParameters.ALL.toString();
        TunedParameters.parse(tuned); // refuses a spelling this frugal does not know
        if (!FORMAT.equals(format)) throw new IllegalArgumentException("unsupported checkpoint format '" + format
                + "' (this frugal reads " + FORMAT + ")");
        if (completed != history.size()) throw new IllegalArgumentException("checkpoint says " + completed
                + " steps completed but records " + history.size());
    }

    /** The tuned subset this state was trained with. */
    public TunedParameters tunedParameters() { return TunedParameters.parse(tuned); }
}
