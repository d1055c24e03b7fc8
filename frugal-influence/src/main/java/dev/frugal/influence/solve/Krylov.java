package dev.frugal.influence.solve;

import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;

/** The iterative solves behind {@link IhvpSolver}, each refusing to return an answer it did not reach. */
final class Krylov {
    private Krylov() {}

    private static double dot(Tensor a, Tensor b) { return a.mul(b).sum().itemDouble(); }

    /** Conjugate gradients for symmetric positive definite A (Hestenes &amp; Stiefel 1952). */
    static Tensor cg(LinearOperator a, Tensor b, int maxIter, double tol) {
        double bn = Math.sqrt(dot(b, b));
        if (bn == 0) return b.mul(0.0);
        Tensor x = b.mul(0.0).keep(), r = b.cloneTensor().keep(), p = b.cloneTensor().keep();
        double rr = bn * bn;
        boolean done = false;
        try {
            for (int k = 0; k < maxIter && !done; k++) {
                try (Scope s = Scope.open()) {
                    Tensor ap = a.apply(p);
                    double pap = dot(p, ap);
                    if (!(pap > 0)) {
                        throw new SolverDivergedException("CG met curvature pᵀAp = " + pap + " ≤ 0 at iteration " + k
                                + ": the damped Hessian is not positive definite at these weights; raise --damping"
                                + " (or use --solver lissa with a larger --damping)");
                    }
                    double alpha = rr / pap;
                    x.addInPlace(p, alpha);
                    r.addInPlace(ap, -alpha);
                    double rrNew = dot(r, r);
                    if (!Double.isFinite(rrNew)) {
                        throw new SolverDivergedException("CG residual became " + rrNew + " at iteration " + k
                                + ": raise --damping");
                    }
                    if (Math.sqrt(rrNew) <= tol * bn) done = true;
                    p.mulInPlace(rrNew / rr).addInPlace(r);
                    rr = rrNew;
                }
            }
            if (done) return x.cloneTensor();
            throw new SolverDivergedException("CG did not converge in " + maxIter + " iterations (relative residual "
                    + String.format("%.3g", Math.sqrt(rr) / bn) + " > " + tol + "): raise --damping to improve the"
                    + " conditioning, or raise --cg-iterations");
        } finally {
            x.close();
            r.close();
            p.close();
        }
    }

    /** BiCGSTAB (van der Vorst 1992) for a non-symmetric A. */
    static Tensor bicgstab(LinearOperator a, Tensor b, int maxIter, double tol) {
        double bn = Math.sqrt(dot(b, b));
        if (bn == 0) return b.mul(0.0);
        Tensor x = b.mul(0.0).keep(), r = b.cloneTensor().keep(), rHat = b.cloneTensor().keep();
        Tensor p = b.mul(0.0).keep(), v = b.mul(0.0).keep();
        double rho = 1, alpha = 1, omega = 1, best = Double.POSITIVE_INFINITY;
        boolean done = false;
        try {
            for (int k = 0; k < maxIter && !done; k++) {
                try (Scope s = Scope.open()) {
                    double rhoNew = dot(rHat, r);
                    if (rhoNew == 0 || omega == 0) {
                        throw new SolverDivergedException("BiCGSTAB broke down at iteration " + k + " (ρ = " + rhoNew
                                + ", ω = " + omega + "): raise --damping, or use --solver exact for a small model");
                    }
                    double beta = rhoNew / rho * (alpha / omega);
                    p.addInPlace(v, -omega).mulInPlace(beta).addInPlace(r);  // p = r + β(p − ωv)
                    v.copyFrom(a.apply(p));
                    alpha = rhoNew / dot(rHat, v);
                    Tensor sres = r.add(v, -alpha);
                    if (Math.sqrt(dot(sres, sres)) <= tol * bn) {
                        x.addInPlace(p, alpha);
                        done = true;
                        continue;
                    }
                    Tensor t = a.apply(sres);
                    omega = dot(t, sres) / dot(t, t);
                    x.addInPlace(p, alpha).addInPlace(sres, omega);
                    r.copyFrom(sres.add(t, -omega));
                    rho = rhoNew;
                    double rn = Math.sqrt(dot(r, r));
                    if (!Double.isFinite(rn) || rn > 1e6 * Math.min(best, bn)) {
                        throw new SolverDivergedException("BiCGSTAB diverged at iteration " + k + " (residual "
                                + String.format("%.3g", rn / bn) + " relative): raise --damping");
                    }
                    best = Math.min(best, rn);
                    if (rn <= tol * bn) done = true;
                }
            }
            if (done) return x.cloneTensor();
            throw new SolverDivergedException("BiCGSTAB did not converge in " + maxIter + " iterations (best relative"
                    + " residual " + String.format("%.3g", best / bn) + " > " + tol + "): raise --damping or"
                    + " --cg-iterations");
        } finally {
            for (Tensor t : new Tensor[] {x, r, rHat, p, v}) t.close();
        }
    }

    /** Largest |eigenvalue| of A by power iteration from b. */
    static double powerIteration(LinearOperator a, Tensor start, int iters) {
        Tensor v = start.div(Math.sqrt(dot(start, start))).keep();
        double lambda = 0;
        try {
            for (int k = 0; k < iters; k++) {
                try (Scope s = Scope.open()) {
                    Tensor av = a.apply(v);
                    lambda = Math.sqrt(dot(av, av));
                    if (lambda == 0 || !Double.isFinite(lambda)) return lambda;
                    v.copyFrom(av.div(lambda));
                }
            }
            return lambda;
        } finally {
            v.close();
        }
    }

    /**
     * LiSSA: x₀ = b, x_{k+1} = b + x_k − A x_k / s; returns x / s once the residual ‖b − A x/s‖ (checked every 20
     * recursions) is below {@code tol}·‖b‖.
     */
    static Tensor lissa(LinearOperator a, Tensor b, double scale, int depth, double tol) {
        double bn = Math.sqrt(dot(b, b));
        if (bn == 0) return b.mul(0.0);
        double s = scale > 0 ? scale : 1.2 * powerIteration(a, b, 50);
        Tensor x = b.cloneTensor().keep();
        double res = Double.NaN;
        boolean done = false;
        try {
            for (int k = 0; k < depth && !done; k++) {
                try (Scope sc = Scope.open()) {
                    Tensor ax = a.apply(x);
                    if (k % 20 == 19) {
                        Tensor r = b.sub(ax.div(s));
                        res = Math.sqrt(dot(r, r)) / bn;
                        if (res <= tol) {
                            done = true;
                            continue;
                        }
                    }
                    Tensor next = b.add(x).sub(ax.div(s));
                    double xn = Math.sqrt(dot(next, next));
                    if (!Double.isFinite(xn) || xn > 1e8 * bn) {
                        double lmax = powerIteration(a, b, 50);
                        throw new SolverDivergedException("LiSSA blew up at recursion " + k + " (‖x‖ = "
                                + String.format("%.3g", xn) + "): the scale " + String.format("%.4g", s) + " must exceed"
                                + " the damped Hessian's largest eigenvalue (≈ " + String.format("%.4g", lmax) + "):"
                                + " pass --lissa-scale " + String.format("%.4g", 1.2 * lmax) + " or more; if it still"
                                + " blows up the Hessian is indefinite here: raise --damping");
                    }
                    x.copyFrom(next);
                }
            }
            if (done) return x.div(s);
            throw new SolverDivergedException("LiSSA did not converge in " + depth + " recursions (relative residual "
                    + String.format("%.3g", res) + " > " + tol + ", scale " + String.format("%.4g", s) + "): raise"
                    + " --lissa-depth, or --damping to make the damped Hessian better conditioned");
        } finally {
            x.close();
        }
    }
}
