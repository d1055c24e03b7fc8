package dev.frugal.influence.method;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.Checkpoint;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamGradient;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Every method's pair scores in one separable form, so that training examples can be scored in independent shards
 * (on Spark executors) against test-side vectors computed once (on the driver):
 *
 * <pre>
 *   score(i, t) = Σ_k w_k · a_i(θ_k)ᵀ X_k[:, t]
 * </pre>
 * sam-hif / if: one term, θ* with X = (Jᵀ + δI)⁻¹ ∇ℓ_test and w = 1/N (eq. (4)); sam-gif / tracin: one term per
 * checkpoint with X_k = ∇ℓ_test(θ_k)ᵀ and w_k = η_k c_k / N (eq. (5)); loss: ℓ_i(θ*). a_i is the method's
 * training-side gradient (at the perturbed weights for the SAM methods).
 *
 * @see HessianInfluence
 * @see TrajectoryInfluence
 */
public final class ShardScoring {
    private ShardScoring() {}

    /**
     * The driver's part.
     *
     * @param method   the method
     * @param thetas   θ_k per term, each {@code (P)}
     * @param weights  w_k per term
     * @param vectors  X_k per term, {@code (P, M)} row-major
     * @param tests    M
     */
    public record TestSide(Method method, double[][] thetas, double[] weights, double[][] vectors, int tests) {}

    /** Computes the test side of {@code method} on the driver (the Hessian solve for sam-hif and if). */
    public static TestSide testSide(InfluenceSetup setup, Method method, Dataset test) {
        int n = setup.train().size(), m = test.size();
        FlatModel model = setup.model();
        List<double[]> thetas = new ArrayList<>(), vectors = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        switch (method) {
            case SAM_HIF, IF -> {
                try (HessianInfluence h = (HessianInfluence) setup.create(method); Scope s = Scope.open()) {
                    Tensor x = h.solve(h.testGradients(test).t().contiguous());               // (P, M)
                    thetas.add(setup.trained().theta());
                    weights.add(1.0 / n);
                    vectors.add(x.contiguous().toDoubleArray());
                }
            }
            case SAM_GIF, TRACIN -> {
                setup.create(method).close(); // validates: the trajectory must be there
                for (Checkpoint c : setup.trained().trajectory()) {
                    if (c.interval() == 0) continue;
                    try (Scope s = Scope.open()) {
                        Tensor th = Tensors.fromDoubles(c.theta(), c.theta().length).to(setup.dtype());
                        Tensor g = SamGradient.perExample(model, th, test.xTensor(setup.dtype()), test.yTensor(),
                                false);                                                         // (M, P)
                        thetas.add(c.theta());
                        weights.add(c.lr() * c.interval() / n);
                        vectors.add(Grads.finite(g, "the test examples", test).t().contiguous().toDoubleArray());
                    }
                }
            }
            case LOSS -> thetas.add(setup.trained().theta());
        }
        return new TestSide(method, thetas.toArray(double[][]::new),
                weights.stream().mapToDouble(Double::doubleValue).toArray(), vectors.toArray(double[][]::new), m);
    }

    /**
     * The scores {@code (shard size, M)} of the training examples in {@code shard} (an executor's part).
     *
     * @param sam the model's SAM settings (used by the SAM methods; micro-batches must be 1 for sharding)
     */
    public static double[][] scoreShard(ModelSpec spec, SamConfig sam, TestSide side, Dataset shard, DType dt) {
        FlatModel model = spec.build();
        int rows = shard.size(), m = side.tests();
        double[][] out = new double[rows][m];
        try (Scope s = Scope.open()) {
            Tensor x = shard.xTensor(dt), y = shard.yTensor();
            if (side.method() == Method.LOSS) {
                Tensor th = Tensors.fromDoubles(side.thetas()[0], side.thetas()[0].length).to(dt);
                double[] l = FlatModel.crossEntropy(model.logits(th, x), y).toDoubleArray();
                for (int i = 0; i < rows; i++) java.util.Arrays.fill(out[i], l[i]);
                return out;
            }
            boolean perturbed = side.method() == Method.SAM_HIF || side.method() == Method.SAM_GIF;
            if (perturbed && sam.microBatch() != 1 && sam.rho() > 0) {
                throw new InfluenceInputException("sharded scoring needs one SAM perturbation per example"
                        + " (--micro-batch 1); this model was trained with micro-batches of " + sam.microBatch());
            }
            Tensor total = null;
            for (int k = 0; k < side.thetas().length; k++) {
                try (Scope inner = Scope.open()) {
                    double[] t = side.thetas()[k];
                    Tensor th = Tensors.fromDoubles(t, t.length).to(dt);
                    Tensor a = perturbed
                            ? SamGradient.evaluate(model, th, x, y, sam, 0, false).perExampleAtPerturbed()
                            : SamGradient.perExample(model, th, x, y, false);                       // (R, P)
                    Tensor xk = Tensors.fromDoubles(side.vectors()[k], t.length, m).to(dt);        // (P, M)
                    Tensor part = a.matmul(xk).mul(side.weights()[k]);                            // (R, M)
                    if (total == null) total = part.keep();
                    else total.addInPlace(part);
                }
            }
            double[][] res = Grads.rows(total);
            total.close();
            return res;
        }
    }
}
