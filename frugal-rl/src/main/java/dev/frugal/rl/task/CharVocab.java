package dev.frugal.rl.task;

import java.util.HashMap;
import java.util.Map;

/**
 * The character vocabulary of the task family: {@code <pad>} 0, {@code <bos>} 1, {@code <eos>} 2, then one token per
 * character. Prompts start with {@code <bos>}; completions end with {@code <eos>}.
 */
public final class CharVocab {
    public static final long PAD = 0, BOS = 1, EOS = 2;
    /** Characters after the three special tokens, in id order. */
    public static final String CHARS = "0123456789abcdefgh+=*:ACKRS;";
    private static final Map<Character, Long> IDS = new HashMap<>();

    static {
        for (int i = 0; i < CHARS.length(); i++) IDS.put(CHARS.charAt(i), 3L + i);
    }

    private CharVocab() {}

    public static int size() { return 3 + CHARS.length(); }

    /** {@code <bos>} followed by the characters of {@code text}. */
    public static long[] encodePrompt(String text) {
        long[] ids = new long[text.length() + 1];
        ids[0] = BOS;
        for (int i = 0; i < text.length(); i++) ids[i + 1] = id(text.charAt(i));
        return ids;
    }

    /** The characters of {@code text} followed by {@code <eos>}. */
    public static long[] encodeAnswer(String text) {
        long[] ids = new long[text.length() + 1];
        for (int i = 0; i < text.length(); i++) ids[i] = id(text.charAt(i));
        ids[text.length()] = EOS;
        return ids;
    }

    public static long id(char c) {
        Long id = IDS.get(c);
        if (id == null) throw new IllegalArgumentException("character '" + c + "' is not in the task vocabulary "
                + CHARS);
        return id;
    }

    /** Text of {@code ids} up to the first {@code <eos>}; special tokens other than EOS print as '?'. */
    public static String decode(long[] ids) {
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            if (id == EOS) break;
            sb.append(id >= 3 && id < size() ? CHARS.charAt((int) id - 3) : '?');
        }
        return sb.toString();
    }

    /** Whether the completion ended with {@code <eos>} (else it ran out of length). */
    public static boolean finished(long[] ids) {
        for (long id : ids) if (id == EOS) return true;
        return false;
    }
}
