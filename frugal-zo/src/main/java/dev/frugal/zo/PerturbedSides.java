package dev.frugal.zo;

/**
 * Which perturbed forwards a ZO2 pass runs. A single process runs {@link #BOTH}; DistZO2's perturbation parallelism
 * runs {@link #PLUS} on one worker and {@link #MINUS} on its partner; replaying a logged step runs {@link #NONE}.
 * The parameter arithmetic (θ ± εz and the restore) is the same for every value.
 */
public enum PerturbedSides {
    BOTH, PLUS, MINUS, NONE;

    /** Whether the forward at θ + εz runs. */
    public boolean plus() {
        return switch (this) {
            case BOTH, PLUS -> true;
            case MINUS, NONE -> false;
        };
    }

    /** Whether the forward at θ − εz runs. */
    public boolean minus() {
        return switch (this) {
            case BOTH, MINUS -> true;
            case PLUS, NONE -> false;
        };
    }
}
