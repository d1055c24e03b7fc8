package dev.frugal.influence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.experiment.Mislabel;
import dev.frugal.influence.experiment.MislabelConfig;
import dev.frugal.influence.experiment.MislabelResult;
import dev.frugal.influence.method.InfluenceMethod;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.LogisticRegression;
import dev.frugal.influence.model.ModelSpec;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import dev.frugal.influence.solve.IhvpSolver;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Mislabel detection: the convergence check applies to the Hessian methods (refused unless forced); the SAM
 * self-influences (docs/influence.md) equal classic IF's and TracIn's without a perturbation and differ with one;
 * the classic ones are quadratic forms, never negative on a convex model.
 */
class MislabelTest {

    static MislabelConfig config(TrainConfig tc, List<Method> methods, boolean force) {
        return new MislabelConfig(ModelSpec.Kind.LOGREG, 0, tc, 20, 0.1, IhvpSolver.parse("exact"), 1e-3, methods, 5,
                1e-4, force);
    }

    @Test
    void unconvergedModelIsRefusedByHessianMethodsUnlessForced() {
        Dataset train = Dataset.blobs(60, 4, 3, 11), test = Dataset.blobs(30, 4, 3, 12);
        TrainConfig few = TrainConfig.fullBatch(SamConfig.sam(0.1), 0.3, 1e-2, 3, 1e-10);
        InfluenceInputException e = assertThrows(InfluenceInputException.class,
                () -> Mislabel.run(train, test, config(few, List.of(Method.SAM_HIF), false), null));
        assertTrue(e.getMessage().contains("has not converged") && e.getMessage().contains("--force"), e.getMessage());
        MislabelResult r = Mislabel.run(train, test, config(few, List.of(Method.SAM_HIF, Method.LOSS), true), null);
        assertTrue(r.gradNorm() > 1e-4, "3 steps should not converge: ‖G‖ " + r.gradNorm());
        assertEquals(Math.round(0.1 * train.size()), r.flipped());
        for (Method m : List.of(Method.SAM_HIF, Method.LOSS)) {
            double auc = r.auc().get(m);
            assertTrue(auc >= 0 && auc <= 1, m + " AUC " + auc);
        }
    }

    @Test
    void samSelfInfluenceIsClassicWithoutPerturbation() {
        Dataset train = Dataset.blobs(48, 3, 3, 21);
        Map<Method, double[]> plain = new EnumMap<>(Method.class), sam = new EnumMap<>(Method.class);
        for (double rho : new double[] {0, 0.2}) {
            TrainConfig tc = TrainConfig.fullBatch(SamConfig.sam(rho), 0.3, 1e-2, 5000, 1e-10).withCheckpointEvery(25);
            TrainedModel tm = SamTrainer.train(new LogisticRegression(train.features(), train.classes()), train, tc,
                    null, null, null);
            InfluenceSetup setup = InfluenceSetup.of(tm, train).withSolver(IhvpSolver.parse("exact"), 1e-6)
                    .withConvergence(1e-8, false);
            for (Method m : List.of(Method.SAM_HIF, Method.IF, Method.SAM_GIF, Method.TRACIN)) {
                try (InfluenceMethod im = setup.create(m)) {
                    (rho == 0 ? plain : sam).put(m, im.selfInfluence());
                }
            }
        }
        for (int i = 0; i < train.size(); i++) {
            double a = plain.get(Method.SAM_HIF)[i], b = plain.get(Method.IF)[i];
            assertEquals(b, a, 1e-12 * Math.max(1, Math.abs(b)), "ρ 0: sam-hif = if at example " + i);
            assertEquals(plain.get(Method.TRACIN)[i], plain.get(Method.SAM_GIF)[i], 1e-12, "ρ 0: sam-gif = tracin");
            for (Method m : List.of(Method.IF, Method.TRACIN)) {
                assertTrue(sam.get(m)[i] >= 0, m + " self-influence " + sam.get(m)[i] + " at example " + i);
            }
        }
        // with ρ > 0 the SAM forms differ from the classic ones (they see the example's perturbed gradient): by far
        // more than rounding (at ρ 0 the two paths agree to 1e-12), relative to the scores' own size
        for (Method[] pair : new Method[][] {{Method.SAM_GIF, Method.TRACIN}, {Method.SAM_HIF, Method.IF}}) {
            double diff = 0, scale = 0;
            for (int i = 0; i < train.size(); i++) {
                diff = Math.max(diff, Math.abs(sam.get(pair[0])[i] - sam.get(pair[1])[i]));
                scale = Math.max(scale, Math.abs(sam.get(pair[1])[i]));
            }
            assertTrue(diff > 1e-3 * scale, pair[0] + " is within " + diff + " of " + pair[1] + " (scale " + scale
                    + ") at ρ 0.2");
        }
    }
}
