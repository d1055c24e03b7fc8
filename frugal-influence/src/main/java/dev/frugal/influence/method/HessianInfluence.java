package dev.frugal.influence.method;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamGradient;
import dev.frugal.influence.solve.IhvpSolver;
import dev.frugal.influence.solve.LinearOperator;
import dev.frugal.tensor.Autograd;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Linalg;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * Hessian-based influence, by the implicit function theorem at a fixed point G(θ*) = 0 (docs/influence.md):
 *
 * <pre>
 *   Δθ_{−i} ≈ (1/N) (J + δI)⁻¹ a_i,        Δℓ_t ≈ ∇ℓ_t(θ*)ᵀ Δθ_{−i} = (1/N) [(Jᵀ + δI)⁻¹ ∇ℓ_t(θ*)]ᵀ a_i
 * </pre>
 * <ul>
 *   <li>{@code sam-hif}: G is SAM's update (eq. (1)), J = ∂G/∂θ includes the perturbation's dependence on θ
 *       (eq. (3)), and a_i = ∇ℓ_i(θ* + ε_i) is the example's gradient at its perturbed weights;</li>
 *   <li>{@code if}: G = ∇L + λθ, so J = H + λI, and a_i = ∇ℓ_i(θ*) (Koh &amp; Liang 2017).</li>
 * </ul>
 * Products Jᵀu come from one double backward through G built once with {@code createGraph}.
 */
public final class HessianInfluence implements InfluenceMethod {
    private final InfluenceSetup setup;
    private final Method method;
    private final FlatModel model;
    private final SamConfig sam;
    private final Tensor theta;       // (P) θ*, requires grad
    private final Tensor update;      // (P) G(θ*) with its graph kept
    private Tensor matrix;            // (P, P) Jᵀ + δI, when the exact solver built it

    HessianInfluence(InfluenceSetup setup, Method method) {
        this.setup = setup;
        this.method = method;
        this.model = setup.model();
        this.sam = method == Method.SAM_HIF ? setup.trained().sam() : SamConfig.none();
        DType dt = setup.dtype();
        double[] t = setup.trained().theta();
        try (Scope s = Scope.open()) {
            theta = Tensors.fromDoubles(t, t.length).to(dt).detach().requiresGrad(true).keep();
            update = SamGradient.evaluate(model, theta, setup.train().xTensor(dt), setup.train().yTensor(), sam,
                    setup.trained().weightDecay(), true).update().keep();
        }
    }

    @Override
    public Method method() { return method; }

    /** The damped operator Jᵀ + δI. */
    public LinearOperator operator() {
        return new LinearOperator() {
            public long dim() { return theta.numel(); }
            public boolean symmetric() { return method == Method.IF; }
            public DType dtype() { return setup.dtype(); }
            public Tensor apply(Tensor v) {
                return Autograd.hvp(update, theta, v, true).add(v, setup.damping());
            }
        };
    }

    /** X {@code (P, K)} = (Jᵀ + δI)⁻¹ B for {@code b (P, K)}. */
    Tensor solve(Tensor b) {
        if (setup.solver() instanceof IhvpSolver.Exact exact) {
            if (matrix == null) {
                try (Scope s = Scope.open()) {
                    matrix = exact.checkedMatrix(operator()).keep();
                }
            }
            Tensor x = Linalg.solve(matrix, b);
            if (setup.progress() != null) setup.progress().accept((int) b.size(1));
            return x;
        }
        return setup.solver().solveAll(operator(), b, setup.progress());
    }

    /** a_i {@code (N, P)}: the training examples' gradients this method perturbs the fixed point with. */
    Tensor trainVectors() {
        DType dt = setup.dtype();
        Dataset d = setup.train();
        Tensor th = theta.detach();
        Tensor a = method == Method.SAM_HIF
                ? SamGradient.evaluate(model, th, d.xTensor(dt), d.yTensor(), sam, 0, false).perExampleAtPerturbed()
                : SamGradient.perExample(model, th, d.xTensor(dt), d.yTensor(), false);
        return Grads.finite(a, "the training examples", d);
    }

    Tensor testGradients(Dataset test) {
        DType dt = setup.dtype();
        return Grads.finite(SamGradient.perExample(model, theta.detach(), test.xTensor(dt), test.yTensor(), false),
                "the test examples", test);
    }

    @Override
    public double[][] scores(Dataset test) {
        try (Scope s = Scope.open()) {
            Tensor x = solve(testGradients(test).t().contiguous());               // (P, M)
            return Grads.rows(trainVectors().matmul(x).div(setup.train().size())); // (N, M)
        }
    }

    @Override
    public double[] meanTestScores(Dataset test) {
        try (Scope s = Scope.open()) {
            Tensor b = testGradients(test).mean(0, false).unsqueeze(1);            // (P, 1)
            Tensor x = solve(b);
            return trainVectors().matmul(x).squeeze(1).div(setup.train().size()).toDoubleArray(); // (N)
        }
    }

    /** (1/N) ∇ℓ_i(θ*)ᵀ (J + δI)⁻¹ a_i for every i: one solve per training example (one LU for exact). */
    @Override
    public double[] selfInfluence() {
        try (Scope s = Scope.open()) {
            Dataset d = setup.train();
            Tensor g = SamGradient.perExample(model, theta.detach(), d.xTensor(setup.dtype()), d.yTensor(), false);
            Tensor x = solve(Grads.finite(g, "the training examples", d).t().contiguous());   // (P, N)
            return trainVectors().mul(x.t()).sum(1, false).div(d.size()).toDoubleArray();
        }
    }

    @Override
    public void close() {
        theta.close();
        update.close();
        if (matrix != null) matrix.close();
    }
}
