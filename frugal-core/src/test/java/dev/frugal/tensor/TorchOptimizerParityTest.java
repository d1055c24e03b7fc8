package dev.frugal.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import dev.frugal.train.Optimizer;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.TensorVector;
import org.junit.jupiter.api.Test;

/**
 * frugal's hand-written optimizers against libtorch's C++ optimizers ({@code torch::optim::AdamW}, {@code SGD}) on the
 * same parameters and gradients: every parameter must be bit-identical after every step. Lives in the tensor package
 * because it is the one place allowed to touch JavaCPP types.
 */
class TorchOptimizerParityTest {

    private static final int STEPS = 5;

    /** A small regression: weight (1, 8), bias (1), data X (16, 8), Y (16, 1) from a seeded generator. */
    private record Problem(Tensor x, Tensor y, Tensor w0, Tensor b0) {
        static Problem seeded(long seed) {
            Rng rng = Rng.seeded("parity", seed);
            return new Problem(Tensors.randn(rng, 16, 8), Tensors.randn(rng, 16, 1),
                    Tensors.randn(rng, 1, 8).mul(0.1), Tensors.randn(rng, 1));
        }

        Tensor loss(Tensor w, Tensor b) { // mean squared error of X·wᵀ + b against Y
            return x.matmul(w.t()).add(b).sub(y).pow(2).mean();
        }

        List<Tensor> freshParams() {
            return List.of(w0.cloneTensor().requiresGrad(true), b0.cloneTensor().requiresGrad(true));
        }
    }

    /**
     * Runs {@code ours} and libtorch's optimizer side by side for {@link #STEPS} steps and returns the largest
     * difference seen in any parameter after any step.
     */
    private static double maxDiffOverSteps(Problem pr, Function<List<Tensor>, Optimizer> ours,
                                           Function<TensorVector, org.bytedeco.pytorch.Optimizer> theirs) {
        List<Tensor> mine = pr.freshParams();
        List<Tensor> ref = pr.freshParams();
        double worst = 0;
        try (Optimizer o = ours.apply(mine)) {
            org.bytedeco.pytorch.Optimizer t = theirs.apply(new TensorVector(ref.get(0).raw(), ref.get(1).raw()));
            for (int s = 0; s < STEPS; s++) {
                try (Scope step = Scope.open()) {
                    o.zeroGrad();
                    pr.loss(mine.get(0), mine.get(1)).backward();
                    o.step();
                    t.zero_grad();
                    pr.loss(ref.get(0), ref.get(1)).backward();
                    t.step();
                    for (int i = 0; i < mine.size(); i++) {
                        worst = Math.max(worst, Tensors.maxAbsDiff(mine.get(i).detach(), ref.get(i).detach()));
                    }
                }
            }
            assertEquals(STEPS, o.steps());
        }
        return worst;
    }

    @Test
    void adamWIsBitIdenticalToLibtorch() {
        try (Scope s = Scope.open()) {
            Problem pr = Problem.seeded(7);
            AdamWConfig cfg = new AdamWConfig(1e-2, 0.9, 0.95, 1e-8, 0.1);
            double diff = maxDiffOverSteps(pr, ps -> new AdamW(ps, cfg), vec -> {
                AdamWOptions o = new AdamWOptions(cfg.lr());
                o.betas().put(0, cfg.beta2()).put(1, cfg.beta1()); // std::tuple stored reversed (JAVACPP-NOTES §6)
                o.eps().put(cfg.eps());
                o.weight_decay().put(cfg.weightDecay());
                return new org.bytedeco.pytorch.AdamW(vec, o);
            });
            System.out.println("AdamW vs torch::optim::AdamW, " + STEPS + " steps: max |diff| = " + diff);
            assertEquals(0.0, diff);
        }
    }

    @Test
    void adamWDefaultsAreBitIdenticalToLibtorchDefaults() {
        try (Scope s = Scope.open()) {
            double diff = maxDiffOverSteps(Problem.seeded(8), ps -> new AdamW(ps, AdamWConfig.defaults()),
                    vec -> new org.bytedeco.pytorch.AdamW(vec, new AdamWOptions(1e-3)));
            assertEquals(0.0, diff);
        }
    }

    @Test
    void sgdVariantsAreBitIdenticalToLibtorch() {
        List<SgdConfig> configs = List.of(SgdConfig.plain(0.05), SgdConfig.momentum(0.05, 0.9),
                SgdConfig.momentum(0.05, 0.9).withNesterov().withWeightDecay(1e-2),
                new SgdConfig(0.05, 0.8, 0.3, 1e-3, false));
        for (SgdConfig cfg : configs) {
            try (Scope s = Scope.open()) {
                double diff = maxDiffOverSteps(Problem.seeded(9), ps -> new Sgd(ps, cfg), vec -> {
                    SGDOptions o = new SGDOptions(cfg.lr());
                    o.momentum().put(cfg.momentum());
                    o.dampening().put(cfg.dampening());
                    o.weight_decay().put(cfg.weightDecay());
                    o.nesterov().put(cfg.nesterov());
                    return new SGD(vec, o);
                });
                System.out.println("SGD " + cfg + " vs torch::optim::SGD: max |diff| = " + diff);
                assertEquals(0.0, diff, cfg.toString());
            }
        }
    }
}
