package dev.frugal.interp;

import dev.frugal.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small models circuit discovery is checked on, trained by frugal on first use and cached as Hugging Face
 * directories under a root ({@code $FRUGAL_HOME/models/interp} for the CLI, {@code target/} for tests).
 */
public final class ModelZoo {
    /** The induction task of {@link #induction2l}: 48 tokens, repeated halves of 10. */
    public static final CircuitTask.Induction INDUCTION = new CircuitTask.Induction(48, 10);
    /** The task of {@link #permutedGpt}: 32 tokens, length 12, π from seed 7. */
    public static final CircuitTask.PermutedPrevious PERMUTED = CircuitTask.PermutedPrevious.of(32, 12, 7);

    /** The induction task of {@link #inductionWide}: 128 tokens, repeated halves of 32. */
    public static final CircuitTask.Induction INDUCTION_WIDE = new CircuitTask.Induction(128, 32);

    private ModelZoo() {}

    /** A 2-layer, 4-head, attention-only, LayerNorm-free model (d = 64) trained on {@link #INDUCTION}. */
    public static InterpModel induction2l(Path root) {
        return cachedOrTrain(root.resolve("induction-2l"), InterpConfig.attentionOnly(48, 64, 2, 4, 20), INDUCTION,
                new TaskTraining.Settings(700, 64, 3e-3, 0.01, 1));
    }

    /**
     * The benchmark's model: 2 layers of 8 heads, attention-only, d = 256 (257 edges), trained on
     * {@link #INDUCTION_WIDE}: large enough that compute, not per-call overhead, sets the time of a forward.
     */
    public static InterpModel inductionWide(Path root) {
        return cachedOrTrain(root.resolve("induction-2l-wide"), InterpConfig.attentionOnly(128, 256, 2, 8, 64),
                INDUCTION_WIDE, new TaskTraining.Settings(2000, 32, 1e-3, 0.01, 1));
    }

    /** A 2-layer GPT (LayerNorm, MLP 128, 4 heads, d = 32) trained on {@link #PERMUTED}. */
    public static InterpModel permutedGpt(Path root) {
        return cachedOrTrain(root.resolve("permuted-gpt"), new InterpConfig(32, 32, 2, 4, 12, true, 128, true, 1e-5, true),
                PERMUTED, new TaskTraining.Settings(800, 64, 3e-3, 0.01, 2));
    }

    private static InterpModel cachedOrTrain(Path dir, InterpConfig cfg, CircuitTask task, TaskTraining.Settings s) {
        if (Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors")))
            return InterpModel.load(dir);
        InterpModel m = InterpModel.init(cfg, Rng.seeded("init", s.seed()));
        long t0 = System.nanoTime();
        double loss = TaskTraining.train(m, task, s, null);
        System.out.printf("trained %s: %d steps, eval loss %.4f, %.1f s (seed %d)%n", dir.getFileName(), s.steps(), loss,
                (System.nanoTime() - t0) / 1e9, s.seed());
        m.save(dir);
        return m;
    }
}
