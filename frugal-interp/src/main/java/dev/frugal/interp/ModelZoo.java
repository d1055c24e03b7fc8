package dev.frugal.interp;

import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** A 2-layer, 4-head, attention-only, LayerNorm-free GPT-2 (d = 64; see {@link TinyGpt2}) trained on {@link #INDUCTION}. */
    public static Gpt2Model induction2l(Path root) { return Gpt2Model.load(induction2lDir(root), Device.CPU); }

    /** The directory of {@link #induction2l}, trained and saved first if it is not there (nothing is loaded). */
    public static Path induction2lDir(Path root) {
        return cachedOrTrain(root.resolve("induction-2l"), TinyGpt2.attentionOnly(48, 64, 2, 4, 20), INDUCTION,
                new TaskTraining.Settings(700, 64, 3e-3, 0.01, 1));
    }

    /**
     * The benchmark's model: 2 layers of 8 heads, attention-only, d = 256, trained on
     * {@link #INDUCTION_WIDE}: large enough that compute, not per-call overhead, sets the time of a forward.
     */
    public static Gpt2Model inductionWide(Path root) { return Gpt2Model.load(inductionWideDir(root), Device.CPU); }

    /** The directory of {@link #inductionWide}, trained and saved first if it is not there (nothing is loaded). */
    public static Path inductionWideDir(Path root) {
        return cachedOrTrain(root.resolve("induction-2l-wide"), TinyGpt2.attentionOnly(128, 256, 2, 8, 64),
                INDUCTION_WIDE, new TaskTraining.Settings(2000, 32, 1e-3, 0.01, 1));
    }

    /** The shape of {@link #gpt2SmallRandom}: GPT-2 small's width, heads, MLP, vocabulary and positions, 6 blocks. */
    public static final TinyGpt2 GPT2_SMALL_6L = TinyGpt2.gpt(50257, 768, 6, 12, 1024, 3072);

    /**
     * A GPT-2-small-shaped model ({@link #GPT2_SMALL_6L}: d = 768, 12 heads, 6 blocks, V = 50257) with GPT-2's random
     * initialisation (seed 1), untrained: the size at which weights, not activations, fill memory. Written under
     * {@code root} once (about 330 MB); built in a sibling directory and renamed, so an interrupted write leaves
     * nothing behind.
     */
    public static Gpt2Model gpt2SmallRandom(Path root) { return Gpt2Model.load(gpt2SmallRandomDir(root), Device.CPU); }

    /** The directory of {@link #gpt2SmallRandom}, written first if it is not there (nothing is loaded). */
    public static Path gpt2SmallRandomDir(Path root) {
        Path dir = root.resolve("gpt2-small-6l-random");
        if (cached(dir)) return dir;
        Path tmp = dir.resolveSibling(dir.getFileName() + ".init");
        try (Scope sc = Scope.open(); Rng init = Rng.seeded("init", 1)) {
            GPT2_SMALL_6L.write(tmp, GPT2_SMALL_6L.init(init)).close();
        }
        try {
            Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + tmp + " to " + dir, e);
        }
        return dir;
    }

    /** A 2-layer GPT (LayerNorm, MLP 128, 4 heads, d = 32) trained on {@link #PERMUTED}. */
    public static Gpt2Model permutedGpt(Path root) {
        return Gpt2Model.load(cachedOrTrain(root.resolve("permuted-gpt"), TinyGpt2.gpt(32, 32, 2, 4, 12, 128),
                PERMUTED, new TaskTraining.Settings(800, 64, 3e-3, 0.01, 2)), Device.CPU);
    }

    /** The hand-built {@link PlantedModel}, written under {@code root} (rebuilt every time: it is cheap and exact). */
    public static Gpt2Model planted(Path root) { return PlantedModel.build(root.resolve("planted")); }

    /**
     * Whether {@code dir} holds a model; a directory of the earlier GPT-2-like format (LayerNorm-free and MLP-free
     * tensors, marked {@code frugal_attn_only}) is rebuilt.
     */
    private static boolean cached(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors"))
                && !HfConfig.read(dir).has("frugal_attn_only");
    }

    /**
     * {@code dir}, holding a model: the one there, else a model of {@code shape} trained on {@code task} and saved there
     * (built and trained in a sibling directory first, so that an interrupted run leaves nothing half-trained behind).
     */
    private static Path cachedOrTrain(Path dir, TinyGpt2 shape, CircuitTask task, TaskTraining.Settings s) {
        if (cached(dir)) return dir;
        Path tmp = dir.resolveSibling(dir.getFileName() + ".init");
        Gpt2Model m;
        try (Scope sc = Scope.open(); Rng init = Rng.seeded("init", s.seed())) {
            m = shape.write(tmp, shape.init(init));
        }
        long t0 = System.nanoTime();
        double loss = TaskTraining.train(m, task, s, shape::trainable, null);
        System.out.printf("trained %s: %d steps, eval loss %.4f, %.1f s (seed %d)%n", dir.getFileName(), s.steps(), loss,
                (System.nanoTime() - t0) / 1e9, s.seed());
        Models.save(m, dir);
        m.close();
        try (var files = Files.list(tmp)) {
            for (Path f : files.toList()) Files.delete(f);
            Files.delete(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + tmp, e);
        }
        return dir; // a model loaded from it names dir, where PAHQ reads float32 weights back
    }
}
