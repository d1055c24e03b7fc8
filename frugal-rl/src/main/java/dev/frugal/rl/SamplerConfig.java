package dev.frugal.rl;

/**
 * What a sampler needs besides the model and the prompts.
 *
 * @param mode                schedule
 * @param numGenerations      G, completions per prompt (≥ 1)
 * @param microGroupSize      g, decode slots for micro/continuous/infinite (≥ 1, ≤ G); 0 when {@code kvBudgetBytes}
 *                            chooses it
 * @param kvBudgetBytes       KV-cache budget in bytes that picks the slot count (0 = use g)
 * @param maxCompletionLength new tokens per completion at most (≥ 1)
 * @param temperature         sampling temperature (> 0)
 * @param topP                nucleus mass in (0, 1]
 * @param seed                seed of the per-completion generators (keyed by prompt and sample index)
 * @param eosTokenId          token that ends a completion, or −1
 * @param fptasEpsilon        ε of the FPTAS grouping (infinite)
 */
public record SamplerConfig(SamplingMode mode, int numGenerations, int microGroupSize, long kvBudgetBytes,
                            int maxCompletionLength, double temperature, double topP, long seed, long eosTokenId,
                            double fptasEpsilon) {
    public SamplerConfig {
        java.util.Objects.requireNonNull(mode, "mode");
        if (numGenerations < 1) throw new dev.frugal.InvalidSettingException("numGenerations", "must be >= 1, got " + numGenerations);
        if (maxCompletionLength < 1)
            throw new dev.frugal.InvalidSettingException("maxCompletionLength", "must be >= 1, got " + maxCompletionLength);
        if (kvBudgetBytes < 0) throw new dev.frugal.InvalidSettingException("kvBudgetMb", "must be > 0, got " + kvBudgetBytes);
        if (kvBudgetBytes == 0 && mode != SamplingMode.FULL) {
            if (microGroupSize < 1) throw new dev.frugal.InvalidSettingException("microGroupSize", "must be >= 1, got "
                    + microGroupSize);
            if (microGroupSize > numGenerations) throw new dev.frugal.InvalidSettingException("microGroupSize", "" + microGroupSize
                    + " is larger than --num-generations " + numGenerations + ": g must be <= G");
        }
        if (!(temperature > 0)) throw new dev.frugal.InvalidSettingException("temperature", "must be > 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new dev.frugal.InvalidSettingException("topP", "must be in (0, 1], got " + topP);
        if (!(fptasEpsilon > 0)) throw new dev.frugal.InvalidSettingException("fptasEpsilon", "must be > 0, got " + fptasEpsilon);
    }

    public SamplerConfig withMode(SamplingMode m) {
        return new SamplerConfig(m, numGenerations, microGroupSize, kvBudgetBytes, maxCompletionLength, temperature, topP,
                seed, eosTokenId, fptasEpsilon);
    }

    public SamplerConfig withSeed(long s) {
        return new SamplerConfig(mode, numGenerations, microGroupSize, kvBudgetBytes, maxCompletionLength, temperature,
                topP, s, eosTokenId, fptasEpsilon);
    }
}
