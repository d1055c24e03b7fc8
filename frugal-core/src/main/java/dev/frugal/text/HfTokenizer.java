package dev.frugal.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face {@code tokenizer.json} (WordPiece, BPE, Unigram) run by the Rust {@code tokenizers} library through
 * DJL. The native library is bundled in DJL's jar ({@code native/lib/linux-x86_64/cpu/libtokenizers.so}) and
 * extracted to DJL's cache directory ({@code ~/.djl.ai}, or {@code -DDJL_CACHE_DIR=...}); nothing is downloaded.
 * On a machine with a CUDA GPU, DJL would look for a CUDA build of the library and download it from
 * {@code publish.djl.ai}; this class therefore sets the system property {@code RUST_FLAVOR=cpu} (read by DJL's
 * {@code LibUtils}) unless the user set {@code RUST_FLAVOR} already, so the bundled CPU library is always used.
 *
 * <p>Not thread-safe for concurrent {@link #close()}; encoding itself may be called from several threads.
 */
public final class HfTokenizer implements AutoCloseable {

    static {
        // use the CPU library bundled in the DJL jar, even where CUDA is present (no download from publish.djl.ai)
        if (System.getenv("RUST_FLAVOR") == null && System.getProperty("RUST_FLAVOR") == null) {
            System.setProperty("RUST_FLAVOR", "cpu");
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerOptions options;
    private final String origin;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, TokenizerOptions options, String origin) {
        this.tokenizer = tokenizer;
        this.options = options;
        this.origin = origin;
    }

    /**
     * Loads {@code tokenizerJson}.
     *
     * @throws TokenizerException when the file is missing or not a valid {@code tokenizer.json}
     */
    public static HfTokenizer fromFile(Path tokenizerJson, TokenizerOptions options) {
        Objects.requireNonNull(options, "options");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new TokenizerException(tokenizerJson + ": tokenizer.json not found; run `frugal data fetch minilm` "
                    + "or pass the path of a Hugging Face tokenizer.json", null);
        }
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return fromStream(in, options, tokenizerJson.toString());
        } catch (IOException e) {
            throw new TokenizerException(tokenizerJson + ": cannot read tokenizer.json: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a {@code tokenizer.json} from {@code in}; {@code origin} names it in error messages.
     *
     * @throws TokenizerException when the content is not a valid {@code tokenizer.json}
     */
    public static HfTokenizer fromStream(InputStream in, TokenizerOptions options, String origin) {
        Map<String, String> djl = new HashMap<>();
        djl.put("addSpecialTokens", Boolean.toString(options.addSpecialTokens()));
        djl.put("truncation", "true");
        djl.put("maxLength", Integer.toString(options.maxLength()));
        djl.put("padding", switch (options.padding()) {
            case LONGEST -> "true";
            case MAX_LENGTH -> "max_length";
            case NONE -> "false";
        });
        try {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(in, djl), options, origin);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(origin + ": not a valid Hugging Face tokenizer.json (" + e.getMessage()
                    + "); check the file or re-export it with tokenizer.save()", e);
        }
    }

    /** The options this tokenizer encodes with. */
    public TokenizerOptions options() {
        return options;
    }

    /** Encodes a batch with truncation to {@code maxLength} and the configured padding. */
    public Encoding encode(List<String> texts) {
        ai.djl.huggingface.tokenizers.Encoding[] enc = tokenizer.batchEncode(texts);
        long[][] ids = new long[enc.length][];
        long[][] mask = new long[enc.length][];
        long[][] types = new long[enc.length][];
        for (int b = 0; b < enc.length; b++) {
            ids[b] = enc[b].getIds();
            mask[b] = enc[b].getAttentionMask();
            types[b] = enc[b].getTypeIds();
        }
        return new Encoding(ids, mask, types);
    }

    /** Token ids of one text, truncated to {@code maxLength}, unpadded. */
    public long[] encodeIds(String text) {
        return tokenizer.encode(text).getIds();
    }

    /** The token strings of one text (no special tokens added). */
    public List<String> tokens(String text) {
        return List.of(tokenizer.encode(text, false, false).getTokens());
    }

    /** Decodes ids back to text, dropping special tokens when {@code skipSpecialTokens}. */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + origin + ", " + options + "]";
    }
}
