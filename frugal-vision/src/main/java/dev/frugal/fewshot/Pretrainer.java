package dev.frugal.fewshot;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.Sgd;
import dev.frugal.train.SgdConfig;
import dev.frugal.vision.AugmentConfig;
import dev.frugal.vision.Augmenter;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNet;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a backbone on the source domain: augmented batches, average-pooled features, a linear head over the source
 * classes, cross-entropy, SGD with Nesterov momentum and a cosine learning rate; then builds the {@link Codebook}.
 */
public final class Pretrainer {
    /** Called after each step with the step number (from 1), the batch loss and the batch accuracy. */
    public interface Listener { void step(int step, double loss, double accuracy); }

    /** The pretrained backbone, its codebook U (m, d) (kept) and the mean loss / accuracy of the last 10 % of steps. */
    public record Result(ResNet backbone, Tensor codebook, double finalLoss, double finalAccuracy) {}

    private Pretrainer() {}

    /**
     * Pretrains with oneDNN off (its convolutions gave NaN gradients nondeterministically on this CPU:
     * {@link dev.frugal.tensor.ImageOps#setOneDnnEnabled}).
     *
     * @throws IllegalStateException when the loss stops being finite (names the step; lower the learning rate)
     */
    public static Result run(ImageSet source, PretrainConfig cfg, Listener listener) {
        return dev.frugal.tensor.ImageOps.withoutOneDnn(() -> {
            try (Rng init = Rng.seeded("pretrain-init", cfg.seed()); Rng order = Rng.seeded("pretrain-order", cfg.seed() + 1);
                 Rng aug = Rng.seeded("pretrain-augment", cfg.seed() + 2);
                 Rng codebook = Rng.seeded("codebook", cfg.seed() + 3)) {
                return train(source, cfg, listener, init, order, aug, codebook);
            }
        });
    }

    private static Result train(ImageSet source, PretrainConfig cfg, Listener listener, Rng init, Rng order, Rng aug,
                                Rng codebook) {
        ResNet model = ResNet.init(cfg.backbone(), init);
        int classes = source.classCount();
        long d = cfg.backbone().featureDim();
        Tensor headW, headB;
        try (Scope s = Scope.open()) {
            headW = Tensors.randn(init, classes, d).mul(Math.sqrt(1.0 / d)).keep().requiresGrad(true);   // (C, d)
            headB = Tensors.zeros(classes).keep().requiresGrad(true);                                  // (C)
        }
        List<Tensor> params = new ArrayList<>(model.setTrainable(ResNet.Trainable.ALL));
        params.add(headW);
        params.add(headB);
        int[] cls = new int[source.total()];
        int[] idx = new int[source.total()];
        for (int c = 0, k = 0; c < classes; c++) for (int i = 0; i < source.count(c); i++, k++) {
            cls[k] = c;
            idx[k] = i;
        }
        Augmenter augmenter = new Augmenter(AugmentConfig.standard());
        double lossTail = 0, accTail = 0;
        int tail = Math.max(1, cfg.steps() / 10);
        try (Sgd opt = new Sgd(params, SgdConfig.momentum(cfg.lr(), 0.9).withNesterov().withWeightDecay(5e-4))) {
            for (int step = 1; step <= cfg.steps(); step++) {
                opt.setLr(0.5 * cfg.lr() * (1 + Math.cos(Math.PI * (step - 1) / cfg.steps())));
                try (Scope s = Scope.open()) {
                    long[] pick = Tensors.randint(0, cls.length, order, cfg.batchSize()).toLongArray();
                    List<float[]> batch = new ArrayList<>();
                    long[] y = new long[pick.length];
                    for (int i = 0; i < pick.length; i++) {
                        batch.add(source.images().get(cls[(int) pick[i]]).get(idx[(int) pick[i]]));
                        y[i] = cls[(int) pick[i]];
                    }
                    Tensor x = source.stack(augmenter.apply(batch, source.channels(), source.size(), aug)); // (B, 1, S, S)
                    Tensor logits = NN.linear(model.pooled(x, true), headW, headB);                      // (B, C)
                    Tensor target = Tensors.fromLongs(y, y.length);
                    Tensor loss = NN.crossEntropy(logits, target, -100);
                    loss.backward();
                    opt.step();
                    opt.zeroGrad();
                    double l = loss.itemDouble();
                    if (!Double.isFinite(l)) throw new IllegalStateException("pretraining loss became " + l + " at step "
                            + step + " (lr " + cfg.lr() + ", seed " + cfg.seed() + "): lower the learning rate");
                    double acc = logits.argmax(1, false).eq(target).to(dev.frugal.tensor.DType.F32).mean().itemDouble();
                    if (step > cfg.steps() - tail) {
                        lossTail += l / tail;
                        accTail += acc / tail;
                    }
                    if (listener != null) listener.step(step, l, acc);
                }
            }
        }
        model.setTrainable(ResNet.Trainable.NONE);
        headW.close();
        headB.close();
        Tensor u = Codebook.build(model, source, cfg.codebookImages(), cfg.codebookPerClass(), codebook);
        return new Result(model, u, lossTail, accTail);
    }
}
