package dev.frugal.fewshot;

/**
 * The episodes of an evaluation.
 *
 * @param ways     N classes per episode
 * @param shots    K labelled images per class
 * @param queries  Q query images per class (15, as the literature)
 * @param episodes number of episodes
 * @param seed     run seed; episode i's draw and its method's randomness derive from it and i alone
 */
public record EpisodeSetup(int ways, int shots, int queries, int episodes, long seed) implements java.io.Serializable {
    public EpisodeSetup {
        if (ways < 2) throw new dev.frugal.InvalidSettingException("ways", "must be ≥ 2, got " + ways);
        if (shots < 1) throw new dev.frugal.InvalidSettingException("shots", "must be ≥ 1, got " + shots);
        if (queries < 1) throw new dev.frugal.InvalidSettingException("queries", "must be ≥ 1, got " + queries);
        if (episodes < 1) throw new dev.frugal.InvalidSettingException("episodes", "must be ≥ 1, got " + episodes);
    }

    /** 5-way K-shot with 15 queries per class. */
    public static EpisodeSetup fiveWay(int shots, int episodes, long seed) { return new EpisodeSetup(5, shots, 15, episodes, seed); }
}
