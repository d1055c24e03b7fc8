package dev.frugal.text;

/** How {@link HfTokenizer#encode} pads a batch. */
public enum Padding {
    /** Pad every sequence to the longest one in the batch. */
    LONGEST,
    /** Pad every sequence to {@link TokenizerOptions#maxLength()}. */
    MAX_LENGTH,
    /** No padding: rows may differ in length. */
    NONE
}
