package dev.frugal.influence.solve;

import dev.frugal.influence.InfluenceInputException;

/**
 * An iterative inverse-Hessian-vector solve that diverged or did not converge (CG on an indefinite or badly damped
 * operator, LiSSA with a scale below the largest eigenvalue). Never turned into scores: the message says what to
 * change.
 */
public final class SolverDivergedException extends InfluenceInputException {
    public SolverDivergedException(String message) {
        super(message);
    }
}
