package dev.frugal.influence.method;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.sam.Checkpoint;
import dev.frugal.influence.sam.SamGradient;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * Trajectory influence, summed over the saved checkpoints θ_k (docs/influence.md, eq. (5)):
 *
 * <pre>
 *   I(i, t) = Σ_k (η_k c_k / N) ∇ℓ_t(θ_k)ᵀ a_{i,k}
 * </pre>
 * with c_k the steps checkpoint k stands for; {@code sam-gif}: a_{i,k} = ∇ℓ_i(θ_k + ε_{i,k}), the gradient the SAM
 * step actually took from example i; {@code tracin}: a_{i,k} = ∇ℓ_i(θ_k) (Pruthi et al. 2020).
 */
public final class TrajectoryInfluence implements InfluenceMethod {
    private final InfluenceSetup setup;
    private final Method method;
    private final FlatModel model;

    TrajectoryInfluence(InfluenceSetup setup, Method method) {
        this.setup = setup;
        this.method = method;
        this.model = setup.model();
        if (setup.trained().trajectory().stream().noneMatch(c -> c.interval() > 0)) {
            throw new InfluenceInputException("--method " + method.cliName() + " needs the training trajectory but"
                    + " the model has no checkpoints: train with --checkpoint-every N");
        }
    }

    @Override
    public Method method() { return method; }

    private interface Term { Tensor at(Tensor trainVectors, Tensor thetaK); }

    /** Σ_k w_k · term(a_k, θ_k) where a_k = the training vectors at checkpoint k. */
    private Tensor sum(Term term) {
        DType dt = setup.dtype();
        Dataset d = setup.train();
        int n = d.size();
        Tensor total = null;
        int done = 0;
        for (Checkpoint c : setup.trained().trajectory()) {
            if (c.interval() == 0) continue;
            try (Scope s = Scope.open()) {
                Tensor th = Tensors.fromDoubles(c.theta(), c.theta().length).to(dt);
                Tensor a = method == Method.SAM_GIF
                        ? SamGradient.evaluate(model, th, d.xTensor(dt), d.yTensor(), setup.trained().sam(), 0, false)
                                .perExampleAtPerturbed()
                        : SamGradient.perExample(model, th, d.xTensor(dt), d.yTensor(), false);
                Tensor part = term.at(Grads.finite(a, "the training examples", d), th)
                        .mul(c.lr() * c.interval() / n);
                if (total == null) total = part.keep();
                else total.addInPlace(part);
            }
            if (setup.progress() != null) setup.progress().accept(++done);
        }
        return total;
    }

    private Tensor testGrads(Dataset test, Tensor th) {
        return Grads.finite(SamGradient.perExample(model, th, test.xTensor(setup.dtype()), test.yTensor(), false),
                "the test examples", test);
    }

    @Override
    public double[][] scores(Dataset test) {
        try (Scope s = Scope.open()) {
            Tensor total = sum((a, th) -> a.matmul(testGrads(test, th).t()));              // (N, M)
            double[][] out = Grads.rows(total);
            total.close();
            return out;
        }
    }

    @Override
    public double[] meanTestScores(Dataset test) {
        try (Scope s = Scope.open()) {
            Tensor total = sum((a, th) -> a.matmul(testGrads(test, th).mean(0, false).unsqueeze(1)).squeeze(1));
            double[] out = total.toDoubleArray();
            total.close();
            return out;
        }
    }

    @Override
    public double[] selfInfluence() {
        Dataset d = setup.train();
        try (Scope s = Scope.open()) {
            Tensor total = sum((a, th) -> a.mul(SamGradient.perExample(model, th, d.xTensor(setup.dtype()),
                    d.yTensor(), false)).sum(1, false));                                     // (N)
            double[] out = total.toDoubleArray();
            total.close();
            return out;
        }
    }
}
