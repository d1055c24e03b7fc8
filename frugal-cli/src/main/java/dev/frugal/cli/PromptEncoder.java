package dev.frugal.cli;

import dev.frugal.UserInputException;
import dev.frugal.text.HfTokenizer;
import dev.frugal.text.Padding;
import dev.frugal.text.TokenizerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what the user typed into prompt token ids: {@code --prompt-ids 2,100,200} directly, {@code --prompt TEXT}
 * through the model directory's {@code tokenizer.json}. Text prompts are the single place the tokenizer package will
 * plug into ({@link #encodeText}).
 */
final class PromptEncoder {
    private PromptEncoder() {}

    /**
     * Parses comma-separated token ids ({@code "2,100,200"}, spaces allowed).
     *
     * @throws IllegalArgumentException naming the item that is not an id
     */
    static long[] parseIds(String csv) {
        List<Long> ids = new ArrayList<>();
        for (String part : csv.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                ids.add(Long.parseLong(p));
            } catch (NumberFormatException e) {
                throw new UserInputException("--prompt-ids: '" + p + "' is not a token id;"
                        + " give comma-separated integers, e.g. --prompt-ids 2,100,200");
            }
        }
        if (ids.isEmpty()) throw new UserInputException("--prompt-ids is empty: give at least one token id,"
                + " e.g. --prompt-ids 2,100,200");
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Encodes {@code text} with {@code modelDir/tokenizer.json}.
     *
     * @throws IllegalArgumentException when the model directory has no tokenizer, or text prompts are not yet
     *                                  supported by this build
     */
    static long[] encodeText(Path modelDir, String text) {
        Path tok = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tok)) throw new UserInputException(modelDir
                + ": this model directory has no tokenizer.json; use --prompt-ids");
        try (HfTokenizer t = HfTokenizer.fromFile(tok, new TokenizerOptions(Integer.MAX_VALUE, Padding.NONE, true))) {
            return t.encodeIds(text);
        }
    }
}
