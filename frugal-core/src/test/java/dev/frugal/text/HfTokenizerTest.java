package dev.frugal.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.onnx.MiniLmResources;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HfTokenizerTest {

    private static HfTokenizer minilm;

    @BeforeAll
    static void load() {
        minilm = HfTokenizer.fromFile(MiniLmResources.file(MiniLmResources.TOKENIZER), TokenizerOptions.bert(16));
    }

    @AfterAll
    static void close() {
        minilm.close();
    }

    /** bert-base-uncased WordPiece ids (the MiniLM vocabulary): [CLS]=101, [SEP]=102, hello=7592, world=2088. */
    @Test
    void wordPieceIdsWithSpecialTokens() {
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, minilm.encodeIds("Hello world"));
        assertEquals("hello world", minilm.decode(new long[] {101, 7592, 2088, 102}, true));
    }

    @Test
    void batchIsTruncatedPaddedAndMasked() {
        String longText = "spam ".repeat(100);
        Encoding e = minilm.encode(List.of("Hello world", longText, "a"));
        assertEquals(3, e.batchSize());
        for (int b = 0; b < 3; b++) {
            assertEquals(16, e.length(b), "padded to the longest row, which is truncated to maxLength");
        }
        assertEquals(4, e.realTokens(0));
        assertEquals(16, e.realTokens(1));
        assertEquals(102L, e.ids()[1][15], "truncation keeps [SEP] last");
        assertEquals(0L, e.ids()[0][4], "[PAD] = 0");
        assertEquals(0L, e.attentionMask()[0][4]);
        for (long t : e.typeIds()[1]) {
            assertEquals(0L, t);
        }
    }

    @Test
    void padToMaxLength() {
        try (HfTokenizer t = HfTokenizer.fromFile(MiniLmResources.file(MiniLmResources.TOKENIZER),
                TokenizerOptions.bert(12).withPadding(Padding.MAX_LENGTH))) {
            Encoding e = t.encode(List.of("a", "b c"));
            assertEquals(12, e.length(0));
            assertEquals(12, e.length(1));
        }
    }

    @Test
    void missingFileIsTypedError() {
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> HfTokenizer.fromFile(Path.of("no/such/tokenizer.json"), TokenizerOptions.bert(8)));
        assertTrue(e.getMessage().contains("no/such/tokenizer.json"));
    }
}
