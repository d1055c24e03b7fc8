package dev.frugal.model;

import java.util.OptionalLong;

/** Config facts generation and training need from any decoder. */
public interface DecoderConfig extends ModelConfig {
    /** End-of-sequence token, if the model has one. */
    OptionalLong eosTokenId();

    /** Beginning-of-sequence token, if the model has one. */
    OptionalLong bosTokenId();

    /** Padding token, if the model has one. */
    OptionalLong padTokenId();

    /** Whether the LM head shares the token-embedding matrix. */
    boolean tieWordEmbeddings();
}
