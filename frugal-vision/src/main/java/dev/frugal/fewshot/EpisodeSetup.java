package dev.frugal.fewshot;

/**
 * The episodes of an evaluation.
 *
 * @param ways     N classes per episode
 * @param shots    K labelled images per class
 * @param queries  Q query images per class (15, as the literature)
 * @param episodes number of episodes
 * @param seed     run seed; episode i's draw and its method's randomness derive from it and i alone
 * @param firstEpisode index of the first episode: a run of episodes F … F+N−1 continues a run of 0 … F−1 (same seed)
 *                 exactly, so their per-episode results pool into one table
 */
public record EpisodeSetup(int ways, int shots, int queries, int episodes, long seed, int firstEpisode) implements java.io.Serializable {
    public EpisodeSetup {
        if (firstEpisode < 0) throw new dev.frugal.InvalidSettingException("firstEpisode", "must be ≥ 0, got " + firstEpisode);
        if (ways < 2) throw new dev.frugal.InvalidSettingException("ways", "must be ≥ 2, got " + ways);
        if (shots < 1) throw new dev.frugal.InvalidSettingException("shots", "must be ≥ 1, got " + shots);
        if (queries < 1) throw new dev.frugal.InvalidSettingException("queries", "must be ≥ 1, got " + queries);
        if (episodes < 1) throw new dev.frugal.InvalidSettingException("episodes", "must be ≥ 1, got " + episodes);
    }

    /** Episodes {@code 0 … episodes−1}. */
    public EpisodeSetup(int ways, int shots, int queries, int episodes, long seed) { this(ways, shots, queries, episodes, seed, 0); }

    /** The indices of this setup's episodes: {@code firstEpisode … firstEpisode + episodes − 1}. */
    public int[] indices() {
        int[] all = new int[episodes];
        for (int i = 0; i < episodes; i++) all[i] = firstEpisode + i;
        return all;
    }

    /** 5-way K-shot with 15 queries per class. */
    public static EpisodeSetup fiveWay(int shots, int episodes, long seed) { return new EpisodeSetup(5, shots, 15, episodes, seed); }
}
