package dev.frugal.rl.task;

/**
 * The verifiable tasks; answers range from one character (count) to 24 (repeat), so completion lengths vary widely
 * within a batch, as the length-aware scheduler needs.
 *
 * <pre>
 *   ADD      A37+485=     → 522          sum of two numbers (1–3 digits)
 *   REVERSE  Rabcdef=     → fedcba       reverse 1–12 characters
 *   SORT     S52179=      → 12579        sort 1–12 digits
 *   COUNT    Cabacab:a=   → 3            occurrences of a letter in 1–12 letters
 *   REPEAT   Kab*4=       → abababab     a 1–4 letter word repeated 1–6 times
 * </pre>
 */
public enum TaskKind {
    ADD('A'), REVERSE('R'), SORT('S'), COUNT('C'), REPEAT('K');

    private final char tag;

    TaskKind(char tag) { this.tag = tag; }

    /** The first character of its prompts. */
    public char tag() { return tag; }
}
