package dev.frugal.text;

import java.util.Objects;

/**
 * A tokenized batch, ready to feed a model. With padding every row has the same length {@code T}.
 *
 * @param ids           token ids {@code (B, T)}
 * @param attentionMask 1 for real tokens, 0 for padding {@code (B, T)}
 * @param typeIds       segment ids {@code (B, T)} (all 0 for single sentences)
 */
public record Encoding(long[][] ids, long[][] attentionMask, long[][] typeIds) {

    public Encoding {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(attentionMask, "attentionMask");
        Objects.requireNonNull(typeIds, "typeIds");
        if (ids.length != attentionMask.length || ids.length != typeIds.length) {
            throw new IllegalArgumentException("ids, attentionMask and typeIds must have the same batch size");
        }
        for (int b = 0; b < ids.length; b++) {
            if (ids[b].length != attentionMask[b].length || ids[b].length != typeIds[b].length) {
                throw new IllegalArgumentException("row " + b + ": ids, attentionMask and typeIds differ in length");
            }
        }
    }

    /** Batch size {@code B}. */
    public int batchSize() {
        return ids.length;
    }

    /** Length of row {@code b}, padding included. */
    public int length(int b) {
        return ids[b].length;
    }

    /** Number of real (unpadded) tokens in row {@code b}. */
    public int realTokens(int b) {
        int n = 0;
        for (long m : attentionMask[b]) {
            n += (int) m;
        }
        return n;
    }
}
