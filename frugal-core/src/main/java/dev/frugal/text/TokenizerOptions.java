package dev.frugal.text;

/**
 * Encoding settings for {@link HfTokenizer}.
 *
 * @param maxLength         sequences longer than this (special tokens included) are truncated; ≥ 1
 * @param padding           how a batch is padded
 * @param addSpecialTokens  add the model's special tokens ({@code [CLS] … [SEP]} for BERT; none for GPT-2)
 */
public record TokenizerOptions(int maxLength, Padding padding, boolean addSpecialTokens) {

    public TokenizerOptions {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be ≥ 1, got " + maxLength);
        }
        java.util.Objects.requireNonNull(padding, "padding");
    }

    /** BERT-style defaults: at most 256 tokens, pad to the longest in the batch, with special tokens. */
    public static TokenizerOptions bert(int maxLength) {
        return new TokenizerOptions(maxLength, Padding.LONGEST, true);
    }

    /** A copy with another maximum length. */
    public TokenizerOptions withMaxLength(int newMaxLength) {
        return new TokenizerOptions(newMaxLength, padding, addSpecialTokens);
    }

    /** A copy with another padding mode. */
    public TokenizerOptions withPadding(Padding newPadding) {
        return new TokenizerOptions(maxLength, newPadding, addSpecialTokens);
    }
}
