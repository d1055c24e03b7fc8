package dev.frugal.rl;

import java.util.List;

/** Scores a batch of completions with the sum of several rewards, refusing any non-finite or failing score. */
public final class Rewards {
    private Rewards() {}

    /**
     * @param prompts     one prompt text per sample (prompt-major: sample i belongs to prompt i / G)
     * @param completions one completion text per sample
     * @return per sample, the sum of every reward's score
     * @throws RewardException naming the reward and the sample when one throws or returns NaN/Inf
     */
    public static double[] score(List<RewardFunction.Named> rewards, List<String> prompts, List<String> completions) {
        double[][] each = scoreEach(rewards, prompts, completions);
        double[] total = new double[completions.size()];
        for (double[] r : each) for (int i = 0; i < total.length; i++) total[i] += r[i];
        return total;
    }

    /** Like {@link #score}, one row per reward (in order), not summed. */
    public static double[][] scoreEach(List<RewardFunction.Named> rewards, List<String> prompts, List<String> completions) {
        if (rewards.isEmpty()) throw new IllegalArgumentException("no reward function given");
        if (prompts.size() != completions.size())
            throw new IllegalArgumentException(prompts.size() + " prompts for " + completions.size() + " completions");
        double[][] each = new double[rewards.size()][completions.size()];
        for (int k = 0; k < rewards.size(); k++) {
            RewardFunction.Named r = rewards.get(k);
            double[] total = each[k];
            for (int i = 0; i < total.length; i++) {
                double v;
                try {
                    v = r.fn().score(prompts.get(i), completions.get(i));
                } catch (RuntimeException e) {
                    throw new RewardException(r.name(), i, "reward '" + r.name() + "' threw on sample " + i + " (prompt "
                            + quote(prompts.get(i)) + ", completion " + quote(completions.get(i)) + "): " + e
                            + "; nothing from this step was applied", e);
                }
                if (!Double.isFinite(v))
                    throw new RewardException(r.name(), i, "reward '" + r.name() + "' returned " + v + " on sample " + i
                            + " (prompt " + quote(prompts.get(i)) + ", completion " + quote(completions.get(i))
                            + "): rewards must be finite; nothing from this step was applied", null);
                total[i] = v;
            }
        }
        return each;
    }

    private static String quote(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + t.replace("\n", "\\n") + "\"";
    }
}
