package dev.frugal.interp;

import dev.frugal.model.CausalLM;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.train.AdamW;
import dev.frugal.train.AdamWConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Trains a decoder on a {@link CircuitTask} with cross-entropy at the task's positions (AdamW, linear
 * warm-up then cosine decay), seeded: the same seed gives the same model on one machine.
 */
public final class TaskTraining {
    private TaskTraining() {}

    /** Settings of one training run. */
    public record Settings(int steps, int batch, double lr, double weightDecay, long seed) {
        public Settings {
            if (steps < 1 || batch < 1 || !(lr > 0)) throw new IllegalArgumentException("steps, batch and lr must be positive");
        }
    }

    /** Trains the parameters {@code trainable} accepts (by name) in place; returns the final evaluation loss (mean cross-entropy on a fresh batch of 256). */
    public static double train(CausalLM model, CircuitTask task, Settings s, Predicate<String> trainable,
                               java.util.function.DoubleConsumer onLoss) {
        List<Tensor> params = new ArrayList<>();
        for (var e : model.namedParameters().entrySet()) if (trainable.test(e.getKey())) params.add(e.getValue());
        for (Tensor p : params) p.requiresGrad(true);
        // β₂ = 0.99 as the models were first trained with (and as small transformers often use)
        try (Rng data = Rng.seeded("train-data", s.seed());
             AdamW opt = new AdamW(params, new AdamWConfig(s.lr(), 0.9, 0.99, 1e-8, s.weightDecay()))) {
            int warm = Math.max(1, s.steps() / 20);
            for (int step = 0; step < s.steps(); step++) {
                try (Scope sc = Scope.open(); TaskBatch b = task.batch(data, s.batch())) {
                    Tensor loss = loss(model, b);
                    loss.backward();
                    double scale = step < warm ? (step + 1.0) / warm
                            : 0.5 * (1 + Math.cos(Math.PI * (step - warm) / (double) (s.steps() - warm)));
                    opt.setLr(s.lr() * scale);
                    opt.step();
                    opt.zeroGrad();
                    if (onLoss != null && (step % 50 == 0 || step == s.steps() - 1)) onLoss.accept(loss.itemDouble());
                }
            }
        } finally {
            try (GradMode off = GradMode.off()) {
                for (Tensor p : params) p.requiresGrad(false);
            }
        }
        try (Rng evalData = Rng.seeded("eval-data", s.seed() + 1)) {
            return evaluate(model, task, evalData, 256);
        }
    }

    /** Mean cross-entropy of {@code model} on a batch of {@code n}. */
    public static double evaluate(CausalLM model, CircuitTask task, Rng rng, int n) {
        try (GradMode off = GradMode.off(); Scope sc = Scope.open(); TaskBatch b = task.batch(rng, n)) {
            return loss(model, b).itemDouble();
        }
    }

    /** Accuracy of the arg-max prediction at the task's positions. */
    public static double accuracy(CausalLM model, CircuitTask task, Rng rng, int n) {
        try (GradMode off = GradMode.off(); Scope sc = Scope.open(); TaskBatch b = task.batch(rng, n)) {
            Tensor pos = Tensors.fromLongs(b.positions(), b.positions().length);
            Tensor pred = model.logits(b.clean()).indexSelect(1, pos).argmax(2, false); // (B, P)
            return pred.eq(b.targets()).to(dev.frugal.tensor.DType.F32).mean().itemDouble();
        }
    }

    static Tensor loss(CausalLM model, TaskBatch b) {
        Tensor pos = Tensors.fromLongs(b.positions(), b.positions().length);
        Tensor logits = model.logits(b.clean()).indexSelect(1, pos); // (B, P, V)
        long v = logits.size(2);
        return NN.crossEntropy(logits.reshape(-1, v), b.targets().reshape(-1), -100);
    }
}
