package dev.frugal.model;

import dev.frugal.InvalidSettingException;
/**
 * How to pick each new token.
 *
 * @param maxNewTokens tokens to add (≥ 1)
 * @param greedy       argmax decoding (the sampling fields are then ignored)
 * @param temperature  softmax temperature (> 0)
 * @param topK         keep the k most likely tokens (0 = all)
 * @param topP         nucleus: keep the smallest set whose probability reaches p (1.0 = all)
 * @param seed         seed of the sampling generator
 * @param stopAtEos    stop a sequence when the model's EOS token is produced
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, double temperature, int topK, double topP, long seed,
                               boolean stopAtEos) {
    public GenerationConfig {
        if (maxNewTokens < 1) throw new InvalidSettingException("maxNewTokens", "must be >= 1, got " + maxNewTokens);
        if (!(temperature > 0)) throw new InvalidSettingException("temperature", "must be > 0, got " + temperature);
        if (topK < 0) throw new InvalidSettingException("topK", "must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new InvalidSettingException("topP", "must be in (0, 1], got " + topP);
    }

    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, true, 1.0, 0, 1.0, 0, false);
    }

    public static GenerationConfig sampling(int maxNewTokens, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, false, temperature, topK, topP, seed, false);
    }

    public GenerationConfig withStopAtEos(boolean stop) {
        return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, stop);
    }
}
