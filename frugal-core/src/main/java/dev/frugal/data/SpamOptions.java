package dev.frugal.data;

/**
 * How {@link SpamAssassinCorpus} reads the emails.
 *
 * @param stripHeaders keep only the body: everything after the first empty line (RFC 5322 header/body separator);
 *                     a message without an empty line is kept whole
 * @param dedupe       drop emails whose text (after header stripping) has the SHA-256 of an earlier one, in corpus
 *                     order (group, then message number)
 */
public record SpamOptions(boolean stripHeaders, boolean dedupe) {

    /** Bodies only, duplicates removed: what classifiers should train on. */
    public static SpamOptions bodiesDeduped() {
        return new SpamOptions(true, true);
    }

    /** The corpus exactly as the package gives it: 6,046 full messages. */
    public static SpamOptions raw() {
        return new SpamOptions(false, false);
    }
}
