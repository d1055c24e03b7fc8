package dev.frugal.influence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.influence.model.LogisticRegression;
import dev.frugal.influence.model.Mlp;
import dev.frugal.influence.sam.Sam;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamGradient;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.influence.sam.TrajectoryStore;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamTest {

    static Stream<Arguments> cases() {
        return Stream.of(0L, 1L, 2L, 3L, 4L, 5L).flatMap(seed -> Stream.of(
                Arguments.of(seed, 1, false), Arguments.of(seed, 3, false), Arguments.of(seed, 0, false),
                Arguments.of(seed, 1, true), Arguments.of(seed, 4, true)));
    }

    static FlatModel model(long seed, int f, int c) {
        return seed % 2 == 0 ? new LogisticRegression(f, c) : new Mlp(f, 3 + (int) seed, c);
    }

    /** Per-row logits with equal rows are the shared-weight logits. */
    @ParameterizedTest
    @MethodSource("cases")
    void perRowForwardEqualsSharedForward(long seed, int unusedM, boolean unusedA) {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("fwd", seed);
            FlatModel m = model(seed, 5, 3);
            Tensor theta = Tensors.randn(rng, DType.F64, Device.CPU, m.numParams());
            Tensor x = Tensors.randn(rng, DType.F64, Device.CPU, 7, 5);
            double err = Tensors.maxAbsDiff(m.logits(theta, x),
                    m.logitsPerRow(theta.unsqueeze(0).expand(7, m.numParams()), x));
            assertTrue(err < 1e-12, "seed " + seed + ": " + err);
        }
    }

    /**
     * The vectorised SAM direction (per-example rows) equals the reference optimiser's micro-batch loop: for m = 1, m = 3
     * (a ragged last micro-batch of 1), whole batch, and adaptive SAM.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void vectorisedDirectionEqualsReferenceLoop(long seed, int m, boolean adaptive) {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seeded("sam", seed);
            FlatModel model = model(seed, 4, 3);
            int n = 7;
            Tensor x = Tensors.randn(rng, DType.F64, Device.CPU, n, 4);
            Tensor y = Tensors.randint(0, 3, rng, n);
            Tensor theta0 = Tensors.randn(rng, DType.F64, Device.CPU, model.numParams()).mul(0.3);
            SamConfig cfg = SamConfig.sam(0.07).withMicroBatch(m).withAdaptive(adaptive);
            Tensor fast = SamGradient.evaluate(model, theta0, x, y, cfg, 0, false).update();

            Tensor p = theta0.cloneTensor().requiresGrad(true);
            int size = m == 0 ? n : m;
            try (Sam sam = new Sam(new Sgd(List.of(p), SgdConfig.plain(0.1)), cfg)) {
                sam.computeGradient(cfg.microBatches(n), k -> {
                    int lo = k * size, len = Math.min(size, n - lo);
                    Tensor l = FlatModel.crossEntropy(model.logits(p, x.narrow(0, lo, len)), y.narrow(0, lo, len));
                    return l.sum().div(n);
                });
                double err = Tensors.maxAbsDiff(fast, p.grad());
                assertTrue(err < 1e-12, "seed " + seed + " m " + m + " adaptive " + adaptive + ": " + err);
            }
        }
    }

    /** Full-batch SAM converges to its fixed point; checkpoints round-trip; a mismatched model is refused. */
    @Test
    void fullBatchSamConvergesAndTrajectoryRoundTrips(@TempDir Path dir) {
        Dataset d = Dataset.blobs(60, 4, 3, 11);
        FlatModel model = new LogisticRegression(4, 3);
        TrainConfig cfg = TrainConfig.fullBatch(SamConfig.sam(0.05), 0.5, 1e-2, 3000, 1e-10).withCheckpointEvery(50);
        TrainedModel tm = SamTrainer.train(model, d, cfg, null, dir, null);
        assertTrue(tm.gradNorm() < 1e-10, "not converged: " + tm.gradNorm() + " after " + tm.steps());
        assertEquals(tm.gradNorm(), SamTrainer.fullGradNorm(model, tm.theta(), d, tm.sam(), 1e-2, DType.F64), 1e-12);
        TrajectoryStore.save(dir, tm);
        TrainedModel back = TrajectoryStore.load(dir, d.fingerprint());
        assertEquals(tm.trajectory().size(), back.trajectory().size());
        assertEquals(0, back.trajectory().getFirst().step());
        for (int i = 0; i < tm.theta().length; i++) assertEquals(tm.theta()[i], back.theta()[i]);
        InfluenceInputException e = org.junit.jupiter.api.Assertions.assertThrows(InfluenceInputException.class,
                () -> TrajectoryStore.load(dir, Dataset.blobs(61, 4, 3, 11).fingerprint()));
        assertTrue(e.getMessage().contains("other data"), e.getMessage());
        // saved perturbation of step 0 equals the recomputed one (ε is a function of θ_t and the data)
        try (Scope s = Scope.open()) {
            Tensor saved = TrajectoryStore.perturbation(dir, 0);
            Tensor t0 = Tensors.fromDoubles(back.trajectory().getFirst().theta(), tm.theta().length);
            Tensor again = SamGradient.evaluate(model, t0, d.xTensor(DType.F64), d.yTensor(), tm.sam(), 0, false)
                    .perturbation();
            assertTrue(Tensors.maxAbsDiff(saved.to(DType.F64), again) < 1e-6);
        }
    }
}
