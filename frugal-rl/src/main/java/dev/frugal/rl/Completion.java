package dev.frugal.rl;

/**
 * One sampled completion.
 *
 * @param prompt index of its prompt in the batch
 * @param sample its index j in the prompt's group (0..G−1)
 * @param tokens the new tokens (the EOS token included when one ended it)
 */
public record Completion(int prompt, int sample, long[] tokens) {}
