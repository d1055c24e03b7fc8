package dev.frugal.influence.solve;

import dev.frugal.tensor.Linalg;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Inverse-Hessian-vector products: {@code x = A⁻¹ b} for the damped operator A of an influence method.
 * <ul>
 *   <li>{@link Exact}: A materialised column by column (P products; small models), then LU;</li>
 *   <li>{@link ConjugateGradient}: CG (Hestenes–Stiefel) for a symmetric A, BiCGSTAB (van der Vorst 1992) for
 *       SAM's non-symmetric Jacobian; refuses to return a solve that did not converge;</li>
 *   <li>{@link Lissa}: the Neumann-series recursion of Agarwal et al. 2017 as used by Koh &amp; Liang:
 *       {@code x₀ = b, x_{k+1} = b + (I − A/s) x_k, A⁻¹b ≈ x_K / s}; refuses when it blows up.</li>
 * </ul>
 */
public sealed interface IhvpSolver permits IhvpSolver.Exact, IhvpSolver.ConjugateGradient, IhvpSolver.Lissa {

    /** The solver's command-line name. */
    String cliName();

    /** {@code x (P)} with A x = b. */
    Tensor solve(LinearOperator a, Tensor b);

    /**
     * {@code X (P, K)} with A X = B for {@code b (P, K)}; {@code progress} gets the number of columns done.
     */
    default Tensor solveAll(LinearOperator a, Tensor b, IntConsumer progress) {
        List<Tensor> cols = new ArrayList<>();
        for (int k = 0; k < b.size(1); k++) {
            try (Scope s = Scope.open()) {
                cols.add(solve(a, b.select(1, k).contiguous()).keep());
            }
            if (progress != null) progress.accept(k + 1);
        }
        Tensor x = Tensors.stack(cols, 1);
        for (Tensor c : cols) c.close();
        return x;
    }

    /** Parses {@code exact}, {@code cg}, {@code lissa} with default settings. */
    static IhvpSolver parse(String s) {
        return switch (s) {
            case "exact" -> new Exact(20_000);
            case "cg" -> new ConjugateGradient(1000, 1e-8);
            case "lissa" -> new Lissa(0, 20_000, 1e-6);
            default -> throw new dev.frugal.InvalidSettingException("solver", "'" + s + "' is not one of exact, cg, lissa");
        };
    }

    /**
     * A materialised as a dense {@code (P, P)} matrix (column j = A e_j) and solved by LU.
     *
     * @param maxParams refuse models with more parameters than this (the matrix has P² entries)
     */
    record Exact(long maxParams) implements IhvpSolver {
        public String cliName() { return "exact"; }

        /** The dense matrix {@code (P, P)} (in the caller's scope). */
        public Tensor matrix(LinearOperator a) {
            long p = a.dim();
            if (p > maxParams) {
                throw new SolverDivergedException("--solver exact: the model has " + p + " parameters, more than "
                        + maxParams + " (a " + p + "² matrix): use --solver cg or lissa");
            }
            List<Tensor> cols = new ArrayList<>();
            for (long j = 0; j < p; j++) {
                try (Scope s = Scope.open()) {
                    Tensor e = Tensors.zeros(a.dtype(), dev.frugal.tensor.Device.CPU, p);
                    e.narrow(0, j, 1).fillInPlace(1);
                    cols.add(a.apply(e).detach().keep());
                }
            }
            Tensor m = Tensors.stack(cols, 1);                                   // (P, P), column j = A e_j
            for (Tensor c : cols) c.close();
            return m;
        }

        /** {@link #matrix}, refused when {@code a} is symmetric and not positive definite. */
        public Tensor checkedMatrix(LinearOperator a) {
            Tensor m = matrix(a);
            if (a.symmetric()) requirePositiveDefinite(m);
            return m;
        }

        /**
         * A symmetric operator (classic IF's H + δI) must be positive definite: at a point that is not a minimum of
         * the training loss in every direction (an MLP at SAM's fixed point) H has negative eigenvalues, and LU would
         * invert H + δI with δ below −λ_min(H) without complaint, returning scores dominated by those directions.
         * The Krylov path refuses the same case on negative curvature.
         */
        static void requirePositiveDefinite(Tensor m) {
            try (Scope s = Scope.open()) {
                double min = Linalg.eigvalsh(m.add(m.t(), 1).mul(0.5)).narrow(0, 0, 1).itemDouble();
                if (!(min > 0)) {
                    throw new SolverDivergedException(String.format(java.util.Locale.ROOT, "--solver exact: the"
                            + " damped Hessian H + δI is not positive definite (smallest eigenvalue %.3g): the model"
                            + " is not at a minimum of its loss in every direction; raise --damping by more than %.3g",
                            min, -min));
                }
            }
        }

        public Tensor solve(LinearOperator a, Tensor b) { return Linalg.solve(checkedMatrix(a), b); }

        @Override
        public Tensor solveAll(LinearOperator a, Tensor b, IntConsumer progress) {
            Tensor x = Linalg.solve(checkedMatrix(a), b);
            if (progress != null) progress.accept((int) b.size(1));
            return x;
        }
    }

    /**
     * Krylov solve to relative residual {@code tol} within {@code maxIter} products: CG when A is symmetric, BiCGSTAB
     * otherwise.
     */
    record ConjugateGradient(int maxIter, double tol) implements IhvpSolver {
        public ConjugateGradient {
            dev.frugal.InvalidSettingException.require(maxIter >= 1, "cgIterations", "must be >= 1, got " + maxIter);
            dev.frugal.InvalidSettingException.require(tol > 0, "cgTolerance", "must be > 0, got " + tol);
        }

        public String cliName() { return "cg"; }

        public Tensor solve(LinearOperator a, Tensor b) {
            return a.symmetric() ? Krylov.cg(a, b, maxIter, tol) : Krylov.bicgstab(a, b, maxIter, tol);
        }
    }

    /**
     * LiSSA with scale s (0: 1.2 × the largest eigenvalue estimated by power iteration) for up to {@code depth}
     * recursions, stopping early when an update changes x by less than {@code tol} relative.
     */
    record Lissa(double scale, int depth, double tol) implements IhvpSolver {
        public Lissa {
            dev.frugal.InvalidSettingException.require(scale >= 0, "lissaScale", "must be >= 0 (0: automatic), got " + scale);
            dev.frugal.InvalidSettingException.require(depth >= 1, "lissaDepth", "must be >= 1, got " + depth);
            dev.frugal.InvalidSettingException.require(tol > 0, "lissaTolerance", "must be > 0, got " + tol);
        }

        public String cliName() { return "lissa"; }

        public Tensor solve(LinearOperator a, Tensor b) { return Krylov.lissa(a, b, scale, depth, tol); }
    }
}
