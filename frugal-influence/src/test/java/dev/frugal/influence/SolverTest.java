package dev.frugal.influence;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.method.HessianInfluence;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.model.LogisticRegression;
import dev.frugal.influence.model.Mlp;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamGradient;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.influence.solve.IhvpSolver;
import dev.frugal.influence.solve.LinearOperator;
import dev.frugal.influence.solve.SolverDivergedException;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Linalg;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SolverTest {

    static Stream<Arguments> cases() {
        return Stream.of(0L, 1L, 2L, 3L).flatMap(seed -> Stream.of(Arguments.of(seed, Method.IF),
                Arguments.of(seed, Method.SAM_HIF)));
    }

    static TrainedModel trained(long seed, Dataset d) {
        FlatModel m = seed % 2 == 0 ? new LogisticRegression(d.features(), d.classes())
                : new Mlp(d.features(), 4, d.classes());
        TrainConfig cfg = TrainConfig.fullBatch(SamConfig.sam(0.05), 0.3, 3e-2, 4000, 1e-9);
        return SamTrainer.train(m, d, cfg, null, null, null);
    }

    /** exact, CG (BiCGSTAB for SAM's non-symmetric Jacobian) and LiSSA give the same A⁻¹b. */
    @ParameterizedTest
    @MethodSource("cases")
    void solversAgree(long seed, Method method) {
        Dataset d = Dataset.blobs(40, 3, 3, 100 + seed);
        TrainedModel tm = trained(seed, d);
        InfluenceSetup setup = InfluenceSetup.of(tm, d).withConvergence(1e-6, false);
        double damping = 1e-3;
        try (Scope s = Scope.open(); HessianInfluence h = (HessianInfluence) setup.create(method)) {
            // an MLP's Hessian at SAM's fixed point can be indefinite: damp above its most negative eigenvalue
            Tensor m = new IhvpSolver.Exact(10_000).matrix(h.operator());
            double lmin = Linalg.eigvalsh(m.add(m.t()).mul(0.5)).toDoubleArray()[0];
            damping = Math.max(1e-3, 1e-3 - lmin + 0.05);
        }
        System.out.printf("seed %d %s: damping %.4g%n", seed, method, damping);
        setup = setup.withSolver(setup.solver(), damping);
        try (Scope s = Scope.open(); HessianInfluence h = (HessianInfluence) setup.create(method)) {
            LinearOperator a = h.operator();
            Tensor b = Tensors.randn(Rng.seeded("rhs", seed), DType.F64, Device.CPU, a.dim());
            Tensor exact = new IhvpSolver.Exact(10_000).solve(a, b);
            Tensor cg = new IhvpSolver.ConjugateGradient(2000, 1e-11).solve(a, b);
            Tensor lissa = new IhvpSolver.Lissa(0, 200_000, 1e-9).solve(a, b);
            double scale = exact.abs().max().itemDouble();
            double eCg = Tensors.maxAbsDiff(exact, cg) / scale, eLi = Tensors.maxAbsDiff(exact, lissa) / scale;
            assertTrue(eCg < 1e-7, "seed " + seed + " " + method + ": |cg - exact| / |exact| = " + eCg);
            assertTrue(eLi < 1e-5, "seed " + seed + " " + method + ": |lissa - exact| / |exact| = " + eLi);
        }
    }

    /**
     * The classic IF operator built by double backward equals the closed-form logistic-regression Hessian
     * H = (1/N) Σ_j (diag p_j − p_j p_jᵀ) ⊗ x̃_j x̃_jᵀ, plus λ and δ on the diagonal.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void doubleBackwardHessianEqualsClosedForm(long seed, Method unused) {
        Dataset d = Dataset.blobs(30, 3, 3, 200 + seed);
        FlatModel m = new LogisticRegression(3, 3);
        TrainedModel tm = SamTrainer.train(m, d, TrainConfig.fullBatch(SamConfig.sam(0.05), 0.3, 3e-2, 4000, 1e-9),
                null, null, null);
        InfluenceSetup setup = InfluenceSetup.of(tm, d).withConvergence(1e-6, false);
        try (Scope s = Scope.open(); HessianInfluence h = (HessianInfluence) setup.create(Method.IF)) {
            Tensor built = new IhvpSolver.Exact(10_000).matrix(h.operator());
            int f = 3, c = 3, p = f * c + c;
            double[] th = tm.theta();
            double[][] hess = new double[p][p];
            for (int j = 0; j < d.size(); j++) {
                double[] xt = new double[f + 1];
                for (int k = 0; k < f; k++) xt[k] = d.x()[j * f + k];
                xt[f] = 1;
                double[] z = new double[c];
                for (int a = 0; a < c; a++) {
                    z[a] = th[f * c + a];
                    for (int k = 0; k < f; k++) z[a] += xt[k] * th[k * c + a];
                }
                double mx = Math.max(z[0], Math.max(z[1], z[2])), sum = 0;
                double[] pr = new double[c];
                for (int a = 0; a < c; a++) sum += pr[a] = Math.exp(z[a] - mx);
                for (int a = 0; a < c; a++) pr[a] /= sum;
                for (int k1 = 0; k1 <= f; k1++) for (int a1 = 0; a1 < c; a1++) {
                    int i1 = k1 < f ? k1 * c + a1 : f * c + a1;
                    for (int k2 = 0; k2 <= f; k2++) for (int a2 = 0; a2 < c; a2++) {
                        int i2 = k2 < f ? k2 * c + a2 : f * c + a2;
                        double w = (a1 == a2 ? pr[a1] : 0) - pr[a1] * pr[a2];
                        hess[i1][i2] += w * xt[k1] * xt[k2] / d.size();
                    }
                }
            }
            double[] flat = new double[p * p];
            for (int i = 0; i < p; i++) for (int k = 0; k < p; k++)
                flat[i * p + k] = hess[i][k] + (i == k ? 3e-2 + setup.damping() : 0);
            double err = Tensors.maxAbsDiff(built, Tensors.fromDoubles(flat, p, p));
            assertTrue(err < 1e-10, "seed " + seed + ": |H(double backward) - H(closed form)| = " + err);
        }
    }

    /** SAM-HIF's operator is Jᵀ + δI with J = ∂G/∂θ: its columns match central finite differences of G. */
    @ParameterizedTest
    @MethodSource("cases")
    void samJacobianMatchesFiniteDifferences(long seed, Method unused) {
        Dataset d = Dataset.blobs(24, 3, 2, 300 + seed);
        TrainedModel tm = trained(seed, d);
        FlatModel m = tm.spec().build();
        InfluenceSetup setup = InfluenceSetup.of(tm, d).withConvergence(1e-6, false);
        try (Scope s = Scope.open(); HessianInfluence h = (HessianInfluence) setup.create(Method.SAM_HIF)) {
            Tensor jt = new IhvpSolver.Exact(10_000).matrix(h.operator()).sub(
                    Linalg.eye(m.numParams(), DType.F64).mul(setup.damping()));                   // Jᵀ
            Tensor th = Tensors.fromDoubles(tm.theta(), tm.theta().length);
            Tensor x = d.xTensor(DType.F64), y = d.yTensor();
            double hStep = 1e-6;
            double worst = 0;
            for (int j = 0; j < m.numParams(); j++) {
                Tensor e = Tensors.zeros(DType.F64, Device.CPU, m.numParams());
                e.narrow(0, j, 1).fillInPlace(hStep);
                Tensor gp = SamGradient.evaluate(m, th.add(e), x, y, tm.sam(), tm.weightDecay(), false).update();
                Tensor gm = SamGradient.evaluate(m, th.sub(e), x, y, tm.sam(), tm.weightDecay(), false).update();
                Tensor col = gp.sub(gm).div(2 * hStep);                                 // J e_j = row j of Jᵀ
                worst = Math.max(worst, Tensors.maxAbsDiff(col, jt.select(0, j)));
            }
            assertTrue(worst < 1e-5, "seed " + seed + ": |J (double backward) - J (finite differences)| = " + worst);
        }
    }

    private static LinearOperator diagonal(double... diag) {
        return new LinearOperator() {
            public long dim() { return diag.length; }
            public boolean symmetric() { return true; }
            public DType dtype() { return DType.F64; }
            public Tensor apply(Tensor v) { return v.mul(Tensors.fromDoubles(diag, diag.length)); }
        };
    }

    @Test
    void divergenceIsReportedWithWhatToChange() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensors.ones(DType.F64, Device.CPU, 3);
            SolverDivergedException lissa = assertThrows(SolverDivergedException.class,
                    () -> new IhvpSolver.Lissa(1.0, 1000, 1e-8).solve(diagonal(1, 5, 10), b));
            assertTrue(lissa.getMessage().contains("--lissa-scale"), lissa.getMessage());
            SolverDivergedException indefinite = assertThrows(SolverDivergedException.class,
                    () -> new IhvpSolver.ConjugateGradient(100, 1e-10).solve(diagonal(1, -2, 3), b));
            assertTrue(indefinite.getMessage().contains("--damping"), indefinite.getMessage());
            SolverDivergedException indefiniteExact = assertThrows(SolverDivergedException.class,
                    () -> new IhvpSolver.Exact(100).solve(diagonal(1, -2, 3), b));
            assertTrue(indefiniteExact.getMessage().contains("--damping")
                    && indefiniteExact.getMessage().contains("not positive definite"), indefiniteExact.getMessage());
            SolverDivergedException slow = assertThrows(SolverDivergedException.class,
                    () -> new IhvpSolver.ConjugateGradient(1, 1e-10).solve(diagonal(1, 2, 3), b));
            assertTrue(slow.getMessage().contains("did not converge"), slow.getMessage());
            assertThrows(InfluenceInputException.class, () -> InfluenceSetup.of(
                    trained(0, Dataset.blobs(20, 2, 2, 1)), Dataset.blobs(20, 2, 2, 1))
                    .withSolver(IhvpSolver.parse("cg"), 0));
        }
    }
}
