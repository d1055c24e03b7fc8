package dev.frugal.model;

/** What every architecture's config record tells: one record per architecture implements this. */
public interface ModelConfig {
    /** Hugging Face {@code model_type}, e.g. {@code "opt"}. */
    String modelType();

    int vocabSize();

    int hiddenSize();

    int numLayers();

    int numHeads();

    /** Longest sequence (prompt + generated) the model accepts. */
    int maxPositions();

    /** The config.json this record was read from (written back when the model is saved). */
    HfConfig source();
}
