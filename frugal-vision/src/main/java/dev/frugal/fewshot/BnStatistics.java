package dev.frugal.fewshot;

/**
 * Which statistics IDP's BatchNorm layers normalise with, during the alignment and when the episode's queries are then
 * classified (docs/fewshot.md, "BN statistics"). γ, β train in every mode.
 */
public enum BnStatistics {
    /**
     * Source running statistics throughout: every forward in BN evaluation mode, statistics never move (the ablation
     * "BN alignment off").
     */
    SOURCE,
    /**
     * The paper's statistics alignment, normalised consistently (default): each step first moves the running
     * statistics toward the pseudo-batch's statistics with the authors' annealed momentum {@code 0.1 / (1 + e^step)};
     * the forward that the loss is taken on, and the final classification, then normalise with those running
     * statistics, so γ, β are trained under the normalisation they are used with.
     */
    ANNEALED,
    /**
     * The same statistics update in BN training mode: the loss's forward normalises with the pseudo-batch's own
     * statistics, the final classification with the running statistics (the previous default: γ, β trained under one
     * normalisation and used under another).
     */
    TRAIN_MODE,
    /**
     * The authors' code: training mode during the alignment and at inference, so the support batch and the query
     * batch are each normalised by their own statistics (transductive).
     */
    AUTHORS;

    /** Whether the alignment's loss forward runs in BN training mode (batch statistics). */
    public boolean trainModeAlignment() { return this == TRAIN_MODE || this == AUTHORS; }

    /** Whether the running statistics move toward the pseudo-batches. */
    public boolean movesStatistics() { return this != SOURCE; }

    /** Whether the episode is classified with batch statistics (support and query batches separately). */
    public boolean batchStatsAtInference() { return this == AUTHORS; }
}
