package dev.frugal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A small SpamAssassin subset that ships inside frugal-core, so that examples and the main job run with Maven alone.
 *
 * <p>Selection ({@link #prepare}): read the full corpus with headers stripped and duplicates removed
 * ({@link SpamOptions#bodiesDeduped()}); within each class, shuffle with {@code java.util.Random(}{@value #SEED}{@code )}
 * (Fisher–Yates, ham first, then spam) and take a share of {@value #SIZE} proportional to the class's size; truncate
 * each body to {@value #MAX_CHARS} characters; sort by id. Written as gzip JSON lines
 * {@code {"id":..,"text":..,"label":0|1,"sha256":..}} where {@code sha256} is that of the untruncated body, plus a
 * {@code PROVENANCE.md} next to it.
 */
public final class SpamSmall {

    /** Classpath location of the embedded subset. */
    public static final String RESOURCE = "/dev/frugal/data/spam-small.jsonl.gz";
    /** Number of emails selected. */
    public static final int SIZE = 600;
    /** Bodies are cut to this many characters. */
    public static final int MAX_CHARS = 2000;
    /** Selection seed. */
    public static final long SEED = 20260527L;
    /** Upper bound on the compressed file. */
    public static final long MAX_BYTES = 2L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpamSmall() {
    }

    /** The embedded subset, in id order. */
    public static List<SpamEmail> load() {
        try (InputStream in = SpamSmall.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath; rebuild frugal-core or "
                        + "regenerate it with `frugal data prepare spam-small`");
            }
            return read(in, Path.of(RESOURCE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The embedded subset split with {@link StratifiedSplit#SPAM_DEFAULT} (80/10/10, seeded). */
    public static Split<SpamEmail> split() {
        return StratifiedSplit.SPAM_DEFAULT.apply(load(), SpamEmail::label);
    }

    /**
     * Reads a subset file written by {@link #prepare}.
     *
     * @throws DatasetFormatException naming the file when a line is not a valid record or the gzip is truncated
     */
    public static List<SpamEmail> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static List<SpamEmail> read(InputStream raw, Path origin) {
        List<SpamEmail> out = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                JsonNode n = JSON.readTree(line);
                if (n == null || !n.path("text").isTextual() || !n.path("label").isInt()
                        || !n.path("sha256").isTextual() || !n.path("id").isTextual()) {
                    throw new DatasetFormatException(origin, "line " + lineNo + " is not {id, text, label, sha256}",
                            null);
                }
                String id = n.get("id").asText();
                out.add(new SpamEmail(id, id.substring(0, Math.max(0, id.indexOf('/'))), n.get("label").asInt(),
                        n.get("text").asText(), n.get("sha256").asText()));
            }
        } catch (IOException e) {
            throw new DatasetFormatException(origin, "corrupt or truncated at line " + (lineNo + 1) + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(origin, "line " + lineNo + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Selects the subset from the deduplicated, header-stripped corpus (see the class comment). */
    public static List<SpamEmail> select(List<SpamEmail> corpus) {
        Map<Integer, List<SpamEmail>> byClass = new LinkedHashMap<>();
        byClass.put(0, new ArrayList<>());
        byClass.put(1, new ArrayList<>());
        corpus.forEach(e -> byClass.get(e.label()).add(e));
        Random rng = new Random(SEED);
        int spamShare = (int) Math.round(SIZE * (double) byClass.get(1).size() / corpus.size());
        List<SpamEmail> out = new ArrayList<>();
        for (Map.Entry<Integer, List<SpamEmail>> cls : byClass.entrySet()) {
            List<SpamEmail> list = cls.getValue();
            StratifiedSplit.shuffle(list, rng);
            int take = cls.getKey() == 1 ? spamShare : SIZE - spamShare;
            for (SpamEmail e : list.subList(0, Math.min(take, list.size()))) {
                out.add(new SpamEmail(e.id(), e.group(), e.label(), truncate(e.text()), e.sha256()));
            }
        }
        out.sort(Comparator.comparing(SpamEmail::id));
        return out;
    }

    /**
     * Writes the subset of the installed corpus to {@code out} and {@code PROVENANCE.md} next to it; returns the
     * selected emails.
     *
     * @throws IllegalStateException when the compressed file exceeds {@link #MAX_BYTES}
     */
    public static List<SpamEmail> prepare(Path out) throws IOException {
        List<SpamEmail> corpus = SpamAssassinCorpus.load(SpamOptions.bodiesDeduped());
        List<SpamEmail> subset = select(corpus);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(out));
             Writer w = new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8)) {
            for (SpamEmail e : subset) {
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("id", e.id());
                rec.put("text", e.text());
                rec.put("label", e.label());
                rec.put("sha256", e.sha256());
                w.write(JSON.writeValueAsString(rec));
                w.write('\n');
            }
        }
        long bytes = Files.size(out);
        if (bytes > MAX_BYTES) {
            throw new IllegalStateException(out + " is " + bytes + " bytes, over the " + MAX_BYTES + " limit");
        }
        long spam = subset.stream().filter(e -> e.label() == 1).count();
        long corpusSpam = corpus.stream().filter(e -> e.label() == 1).count();
        Files.writeString(parent.resolve("PROVENANCE.md"), SpamSmallProvenance.markdown(out.getFileName().toString(),
                subset.size(), spam, corpus.size(), corpusSpam, bytes, Sha256.of(out)), StandardCharsets.UTF_8);
        return subset;
    }

    /** Cuts {@code text} to {@link #MAX_CHARS} characters without splitting a surrogate pair. */
    static String truncate(String text) {
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
        return text.substring(0, end);
    }
}
