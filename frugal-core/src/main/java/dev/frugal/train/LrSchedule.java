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
public sealed interface LrSchedule permits LrSchedule.Constant, LrSchedule.Warmup {

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

    /** How the rate falls from {@code peak} after the warmup. */
    enum Decay {
        /** Linearly to 0 at {@code totalSteps} ({@code get_linear_schedule_with_warmup}). */
        LINEAR,
        /** Half a cosine down to 0 at {@code totalSteps} ({@code get_cosine_schedule_with_warmup}, {@code num_cycles = 0.5}). */
        COSINE
    }

    /** Linear warmup from 0 to {@code peak} over {@code warmupSteps}, then {@code decay} to 0 at {@code totalSteps}. */
    record Warmup(double peak, long warmupSteps, long totalSteps, Decay decay) implements LrSchedule {
        public Warmup {
            requireRate(peak);
            requireSteps(warmupSteps, totalSteps);
            java.util.Objects.requireNonNull(decay, "decay");
        }

        @Override
        public double lr(long step) {
            requireStep(step);
            if (step < warmupSteps) {
                return peak * step / Math.max(1, warmupSteps);
            }
            long span = Math.max(1, totalSteps - warmupSteps);
            return peak * switch (decay) {
                case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / span);
                case COSINE -> {
                    double progress = (double) (step - warmupSteps) / span;
                    yield Math.max(0.0, 0.5 * (1 + Math.cos(Math.PI * progress)));
                }
            };
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
