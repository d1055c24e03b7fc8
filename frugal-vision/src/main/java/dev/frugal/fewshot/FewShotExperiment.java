package dev.frugal.fewshot;

import dev.frugal.vision.EpisodeSampler;
import dev.frugal.vision.ImageSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a method over seeded episodes. Episode i is drawn by {@link EpisodeSampler#episode(int)} from the run seed and
 * i, and the method's own randomness (augmentation, head initialisation) is seeded by {@link #methodSeed}: every
 * method sees the same episodes, and any subset of episodes (a Spark partition) gives the numbers a full run gives.
 */
public final class FewShotExperiment {
    /** Called after each episode. */
    public interface Progress { void episode(int done, EpisodeResult result); }

    private FewShotExperiment() {}

    /** Seed of the method's randomness in episode {@code index}. */
    public static long methodSeed(long seed, int index) { return EpisodeSampler.episodeSeed(seed ^ 0x5DEECE66DL, index); }

    /** The setup's episodes ({@link EpisodeSetup#indices()}). */
    public static List<EpisodeResult> run(FewShotEvaluator ev, MethodName method, ImageSet set, EpisodeSetup setup, Progress progress) {
        return run(ev, method, set, setup, setup.indices(), progress);
    }

    /** The given episodes only (in the given order). */
    public static List<EpisodeResult> run(FewShotEvaluator ev, MethodName method, ImageSet set, EpisodeSetup setup,
            int[] indices, Progress progress) {
        return dev.frugal.tensor.ImageOps.withoutOneDnn(() -> runEpisodes(ev, method, set, setup, indices, progress));
    }

    private static List<EpisodeResult> runEpisodes(FewShotEvaluator ev, MethodName method, ImageSet set, EpisodeSetup setup,
            int[] indices, Progress progress) {
        EpisodeSampler sampler = new EpisodeSampler(set, setup.ways(), setup.shots(), setup.queries(), setup.seed());
        List<EpisodeResult> out = new ArrayList<>();
        for (int i : indices) {
            EpisodeResult r = ev.run(method, set, sampler.episode(i), methodSeed(setup.seed(), i));
            out.add(r);
            if (progress != null) progress.episode(out.size(), r);
        }
        return out;
    }
}
