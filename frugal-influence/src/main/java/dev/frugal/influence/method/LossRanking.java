package dev.frugal.influence.method;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;

/**
 * The baseline: each training example's own loss ℓ_i(θ*), whatever the test example. High-loss examples are the
 * usual first guess for mislabels; for test-loss attribution it carries no information about the test point.
 */
public final class LossRanking implements InfluenceMethod {
    private final double[] losses;

    LossRanking(InfluenceSetup setup) {
        FlatModel model = setup.model();
        double[] t = setup.trained().theta();
        try (Scope s = Scope.open()) {
            Tensor th = Tensors.fromDoubles(t, t.length).to(setup.dtype());
            losses = FlatModel.crossEntropy(model.logits(th, setup.train().xTensor(setup.dtype())),
                    setup.train().yTensor()).toDoubleArray();
        }
    }

    @Override
    public Method method() { return Method.LOSS; }

    @Override
    public double[][] scores(Dataset test) {
        double[][] out = new double[losses.length][test.size()];
        for (int i = 0; i < losses.length; i++) java.util.Arrays.fill(out[i], losses[i]);
        return out;
    }

    @Override
    public double[] meanTestScores(Dataset test) { return losses.clone(); }

    @Override
    public double[] selfInfluence() { return losses.clone(); }
}
