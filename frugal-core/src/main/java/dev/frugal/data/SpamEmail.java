package dev.frugal.data;

import java.util.Objects;

/**
 * One email of the SpamAssassin corpus.
 *
 * @param id     {@code <group>/<message number>}, e.g. {@code spam-2/00001}
 * @param group  the corpus group: {@code easy-ham-1}, {@code easy-ham-2}, {@code hard-ham-1}, {@code spam-1},
 *               {@code spam-2}
 * @param label  1 for spam (groups {@code spam-*}), 0 for ham
 * @param text   the message (with or without headers, see {@link SpamOptions})
 * @param sha256 SHA-256 of {@code text} as UTF-8 (before any truncation), used for deduplication
 */
public record SpamEmail(String id, String group, int label, String text, String sha256) {

    public SpamEmail {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sha256, "sha256");
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label must be 0 (ham) or 1 (spam), got " + label + " for " + id);
        }
    }

    /** The label a corpus group carries: 1 for {@code spam-*}, 0 for the ham groups. */
    public static int labelOf(String group) {
        return group.startsWith("spam") ? 1 : 0;
    }
}
