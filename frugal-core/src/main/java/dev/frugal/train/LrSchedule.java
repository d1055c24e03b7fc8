package dev.frugal.train;

/**
 * Learning rate as a function of the optimizer step, with the semantics of Hugging Face transformers'
 * {@code get_constant_schedule}, {@code get_linear_schedule_with_warmup} and {@code get_cosine_schedule_with_warmup}:
 * {@link #lr(long)} is the rate for the step that has {@code step} steps before it (so the first step uses
 * {@code lr(0)}, which is 0 whenever there is a warmup).
 *
 * <pre>
 *   warmup (s &lt; w):  γ(s) = γ_peak · s / w
 *   linear decay:    γ(s) = γ_peak · max(0, (S − s) / (S − w))
 *   cosine decay:    γ(s) = γ_peak · max(0, ½(1 + cos(π · (s − w) / (S − w))))
 * </pre>
 */
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.WarmupLinear, LrSchedule.WarmupCosine {

    /** The learning rate for the step preceded by {@code step} steps (≥ 0). */
    double lr(long step);

    /** Sets {@code optimizer}'s rate for its next step from {@link Optimizer#steps()}; returns the rate set. */
    default double apply(Optimizer optimizer) {
        double v = lr(optimizer.steps());
        optimizer.setLr(v);
        return v;
    }

    /** A constant rate. */
    record Constant(double lr) implements LrSchedule {
        public Constant {
            requireRate(lr);
        }

        @Override
        public double lr(long step) {
            requireStep(step);
            return lr;
        }
    }

    /**
     * Linear warmup from 0 to {@code peak} over {@code warmupSteps}, then linear decay to 0 at {@code totalSteps}.
     */
    record WarmupLinear(double peak, long warmupSteps, long totalSteps) implements LrSchedule {
        public WarmupLinear {
            requireRate(peak);
            requireSteps(warmupSteps, totalSteps);
        }

        @Override
        public double lr(long step) {
            requireStep(step);
            if (step < warmupSteps) {
                return peak * step / Math.max(1, warmupSteps);
            }
            return peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
        }
    }

    /**
     * Linear warmup from 0 to {@code peak} over {@code warmupSteps}, then half a cosine down to 0 at
     * {@code totalSteps} (transformers' default {@code num_cycles = 0.5}).
     */
    record WarmupCosine(double peak, long warmupSteps, long totalSteps) implements LrSchedule {
        public WarmupCosine {
            requireRate(peak);
            requireSteps(warmupSteps, totalSteps);
        }

        @Override
        public double lr(long step) {
            requireStep(step);
            if (step < warmupSteps) {
                return peak * step / Math.max(1, warmupSteps);
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
            return peak * Math.max(0.0, 0.5 * (1 + Math.cos(Math.PI * progress)));
        }
    }

    private static void requireRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite value >= 0, got " + lr);
        }
    }

    private static void requireSteps(long warmup, long total) {
        if (warmup < 0 || total < 1 || warmup > total) {
            throw new IllegalArgumentException("schedule needs 0 <= warmup steps <= total steps and total >= 1, got "
                    + "warmup " + warmup + ", total " + total);
        }
    }

    private static void requireStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }
}
