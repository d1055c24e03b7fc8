package dev.frugal.influence.sam;

import dev.frugal.influence.InfluenceInputException;
import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.model.FlatModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import dev.frugal.train.Optimizer;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Trains a {@link FlatModel} with SAM ({@link SamGradient}'s direction handed to SGD or AdamW), full-batch or in
 * mini-batches, saving trajectory checkpoints when asked. Warm starts (leave-one-out retraining) pass the weights to
 * start from.
 */
public final class SamTrainer {
    private SamTrainer() {}

    /**
     * Trains on {@code data} from {@code warmStart} (or the model's initialisation when null).
     *
     * @param trajectoryDir where checkpoints go ({@link TrajectoryStore}); null: keep them in memory only
     * @param progress      called with the step count after each step; may be null
     * @throws InfluenceInputException when a gradient becomes NaN or infinite (names the step and what to lower)
     */
    public static TrainedModel train(FlatModel model, Dataset data, TrainConfig cfg, double[] warmStart,
                                     Path trajectoryDir, LongConsumer progress) {
        data.requireTrainable();
        if (data.features() != model.features() || data.classes() != model.classes()) {
            throw new InfluenceInputException(data.name() + " has " + data.features() + " features and "
                    + data.classes() + " classes; the model expects " + model.features() + " and " + model.classes());
        }
        int n = data.size();
        boolean full = cfg.batchSize() == 0 || cfg.batchSize() >= n;
        int b = full ? n : cfg.batchSize();
        List<Checkpoint> trajectory = new ArrayList<>();
        try (Scope outer = Scope.open(); Rng order = Rng.seeded("influence-data-order", cfg.seed());
             Rng init = Rng.seeded("influence-init", cfg.seed())) {
            DType dt = cfg.dtype();
            Tensor x = data.xTensor(dt), y = data.yTensor();
            Tensor theta = (warmStart != null ? Tensors.fromDoubles(warmStart, warmStart.length).to(dt)
                    : model.init(init, dt)).cloneTensor().detach().requiresGrad(true);
            try (Optimizer base = base(cfg, theta)) {
                long step = 0;
                int cursor = n;
                Tensor perm = null;
                double gradNorm = Double.NaN;
                while (true) {
                    boolean last = step >= cfg.maxSteps();
                    try (Scope s = Scope.open()) {
                        Tensor xb = x, yb = y;
                        if (!full) {
                            if (cursor + b > n) {
                                if (perm != null) perm.close();
                                perm = Tensors.randperm(n, order).keep();
                                cursor = 0;
                            }
                            Tensor idx = perm.narrow(0, cursor, b);
                            cursor += b;
                            xb = x.indexSelect(0, idx);
                            yb = y.indexSelect(0, idx);
                        }
                        SamGradient.Result r = SamGradient.evaluate(model, theta, xb, yb, cfg.sam(), 0, false);
                        Tensor g = r.update();
                        if (full) {
                            try (GradMode off = GradMode.off()) {
                                gradNorm = g.add(theta.detach(), cfg.weightDecay()).norm().itemDouble();
                            }
                            checkFinite(gradNorm, step, data);
                            if (gradNorm < cfg.tolerance()) last = true;
                        } else if (!Double.isFinite(g.norm().itemDouble())) {
                            checkFinite(Double.NaN, step, data);
                        }
                        boolean save = cfg.checkpointEvery() > 0 && (step % cfg.checkpointEvery() == 0 || last);
                        if (save) {
                            long interval = last ? 0 : cfg.checkpointEvery();
                            Checkpoint c = new Checkpoint(step, base.lr(), interval, theta.detach().toDoubleArray());
                            trajectory.add(c);
                            if (trajectoryDir != null) {
                                TrajectoryStore.writeCheckpoint(trajectoryDir, c, r.perturbation(), model.spec());
                            }
                        }
                        if (last) break;
                        theta.setGrad(g);
                        base.step();
                    }
                    step++;
                    if (progress != null) progress.accept(step);
                }
                if (perm != null) perm.close();
                double[] thetaStar = theta.detach().toDoubleArray();
                if (!full) gradNorm = fullGradNorm(model, thetaStar, data, cfg.sam(), cfg.weightDecay(), dt);
                return new TrainedModel(model.spec(), thetaStar, cfg.sam(), cfg.weightDecay(), gradNorm, step,
                        data.fingerprint(), trajectory);
            }
        }
    }

    /** ‖G(θ) + λθ‖ over all of {@code data}: the distance from SAM's fixed point. */
    public static double fullGradNorm(FlatModel model, double[] theta, Dataset data, SamConfig sam,
                                      double weightDecay, DType dt) {
        try (Scope s = Scope.open()) {
            Tensor t = Tensors.fromDoubles(theta, theta.length).to(dt);
            Tensor g = SamGradient.evaluate(model, t, data.xTensor(dt), data.yTensor(), sam, weightDecay, false)
                    .update();
            return g.norm().itemDouble();
        }
    }

    private static void checkFinite(double gradNorm, long step, Dataset data) {
        if (!Double.isFinite(gradNorm)) {
            throw new InfluenceInputException("gradient became " + gradNorm + " at step " + step + " on "
                    + data.name() + ": lower --lr or --rho, or scale the features");
        }
    }

    private static Optimizer base(TrainConfig cfg, Tensor theta) {
        return switch (cfg.base()) {
            case SGD -> new Sgd(List.of(theta), new SgdConfig(cfg.lr(), cfg.momentum(), 0, cfg.weightDecay(), false));
            case ADAMW -> new AdamW(List.of(theta), new AdamWConfig(cfg.lr(), 0.9, 0.999, 1e-8, cfg.weightDecay()));
        };
    }
}
