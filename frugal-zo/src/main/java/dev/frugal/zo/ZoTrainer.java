package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.Scope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ZO2 training loop: steps with the batch of each step from a {@link BatchSource}, periodic evaluation and
 * checkpoints (each preceded by a flush of the pending update), a final flush, and a stop with a clear error on a
 * non-finite loss (the last checkpoint is kept). Resuming from a checkpoint continues on the identical trajectory:
 * z and the batch of step t depend only on (run seed, t).
 */
public final class ZoTrainer<B> {
    /**
     * Loop settings.
     *
     * @param steps           index one past the last step to run
     * @param evalEvery       evaluate every this many steps (0 = only at the end)
     * @param checkpointEvery checkpoint every this many steps (0 = only at the end)
     * @param checkpointDir   where checkpoints go (null = none)
     * @param saveTotalLimit  keep at most this many checkpoints, deleting the oldest (0 = keep all; as Hugging Face's
     *                        {@code save_total_limit})
     */
    public record Settings(long steps, long evalEvery, long checkpointEvery, Path checkpointDir, int saveTotalLimit) {
        /** Every checkpoint kept. */
        public Settings(long steps, long evalEvery, long checkpointEvery, Path checkpointDir) {
            this(steps, evalEvery, checkpointEvery, checkpointDir, 0);
        }

        public Settings {
            if (saveTotalLimit < 0)
                throw new InvalidSettingException("saveTotalLimit", "must be >= 1 (or 0 to keep all), got " + saveTotalLimit);
            if (steps < 0) throw new InvalidSettingException("steps", "must be >= 0, got " + steps);
            if (evalEvery < 0) throw new InvalidSettingException("evalEvery", "must be >= 0 (0: only at the end), got " + evalEvery);
            if (checkpointEvery < 0)
                throw new InvalidSettingException("checkpointEvery", "must be >= 0 (0: only at the end), got " + checkpointEvery);
        }
    }

    /** Callbacks for progress output and metrics. */
    public interface Listener {
        default void onStep(ZoStep step, double seconds) {}

        default void onEval(long completed, double evalLoss) {}

        default void onCheckpoint(Path dir) {}
    }

    /** Computes the held-out metric after a flush (e.g. dev loss, or accuracy). */
    @FunctionalInterface
    public interface Evaluator {
        double evaluate();
    }

    private final StagedModel model;
    private final ZoEngine<B> engine;
    private final BatchSource<B> data;
    private final Settings settings;
    private final Evaluator evaluator;
    private final Listener listener;

    public ZoTrainer(StagedModel model, ZoEngine<B> engine, BatchSource<B> data, Settings settings, Evaluator evaluator,
                     Listener listener) {
        this.model = model;
        this.engine = engine;
        this.data = data;
        this.settings = settings;
        this.evaluator = evaluator;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /** Runs steps {@code from.completed()} .. {@code settings.steps()−1}; returns the state after the last. */
    public TrainerState run(TrainerState from) {
        ZoRng rng = engine.hyperparameters().rng();
        if (from.rng() != rng) throw new InvalidSettingException("rng", "is " + rng + " but the run to continue drew z"
                + " from " + from.rng() + ": resume with the same stream (the other gives another trajectory)");
        TunedParameters tuned = engine.hyperparameters().tuned();
        if (!from.tunedParameters().equals(tuned)) throw new InvalidSettingException("tuned", "(" + tuned + ") differs"
                + " from the " + from.tuned() + " the run being continued was trained with: pass the same subset to"
                + " continue its trajectory");
        int samples = engine.hyperparameters().samples();
        if (from.samples() != samples) throw new InvalidSettingException("samples", "(" + samples + ") differs from the "
                + from.samples() + " perturbations per step of the run being continued: pass the same n to continue its"
                + " trajectory");
        List<ZoStep> history = new ArrayList<>(from.history()); // appended to; copied only into a checkpoint's state
        for (long t = from.completed(); t < settings.steps(); t++) {
            long start = System.nanoTime();
            ZoStep s;
            try (Scope scope = Scope.open()) {
                s = engine.step(t, data.batch(t));
            }
            history.add(s);
            listener.onStep(s, (System.nanoTime() - start) / 1e9);
            long done = t + 1;
            boolean last = done == settings.steps();
            if (evaluator != null && (last || (settings.evalEvery() > 0 && done % settings.evalEvery() == 0))) {
                engine.flush();
                listener.onEval(done, evaluator.evaluate());
            }
            if (settings.checkpointDir() != null
                    && (last || (settings.checkpointEvery() > 0 && done % settings.checkpointEvery() == 0))) {
                engine.flush();
                listener.onCheckpoint(ZoCheckpoint.save(settings.checkpointDir(), model, engine, state(history)));
                if (settings.saveTotalLimit() > 0) ZoCheckpoint.prune(settings.checkpointDir(), settings.saveTotalLimit());
            }
        }
        engine.flush();
        return history.size() == from.completed() ? from : state(history);
    }

    /** The state after {@code history}'s steps (one copy of the history, at a checkpoint or at the end). */
    private TrainerState state(List<ZoStep> history) {
        ZoHyperparameters hp = engine.hyperparameters();
        return new TrainerState(TrainerState.FORMAT, history.size(), hp.seed(), hp.eps(), hp.lr(), hp.weightDecay(),
                engine.storageDtype().name(), history, hp.rng(), hp.tuned().toString(), hp.samples());
    }

    /** The state of a fresh run. */
    public static TrainerState fresh(ZoHyperparameters hp, OffloadConfig off) {
        return new TrainerState(TrainerState.FORMAT, 0, hp.seed(), hp.eps(), hp.lr(), hp.weightDecay(),
                off.storageDtype().name(), List.of(), hp.rng(), hp.tuned().toString(), hp.samples());
    }
}
