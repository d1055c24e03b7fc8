package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.rl.task.CharVocab;
import dev.frugal.rl.task.Task;
import dev.frugal.rl.task.TaskFamily;
import dev.frugal.rl.task.TaskKind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The task family: answers checked independently, lengths spread widely, the vocabulary round-trips, held-out is unseen. */
class TaskFamilyTest {
    @Test
    void answersAreRightAndLengthsVary() {
        List<Task> tasks = new TaskFamily(3).take(2000);
        Map<TaskKind, Integer> seen = new EnumMap<>(TaskKind.class);
        int minLen = Integer.MAX_VALUE, maxLen = 0;
        for (Task t : tasks) {
            seen.merge(t.kind(), 1, Integer::sum);
            String body = t.prompt().substring(1, t.prompt().length() - 1); // between the tag and '='
            String want = switch (t.kind()) {
                case ADD -> {
                    String[] ab = body.split("\\+");
                    yield Integer.toString(Integer.parseInt(ab[0]) + Integer.parseInt(ab[1]));
                }
                case REVERSE -> new StringBuilder(body).reverse().toString();
                case SORT -> body.chars().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                        StringBuilder::append).toString();
                case COUNT -> Long.toString(body.substring(0, body.indexOf(':')).chars()
                        .filter(c -> c == body.charAt(body.length() - 1)).count());
                case REPEAT -> body.substring(0, body.indexOf('*')).repeat(Integer.parseInt(body.substring(body.indexOf('*') + 1)));
            };
            assertEquals(want, t.answer(), t.prompt());
            long[] p = CharVocab.encodePrompt(t.prompt()), a = CharVocab.encodeAnswer(t.answer());
            assertTrue(p.length <= TaskFamily.maxPromptTokens() && a.length <= TaskFamily.maxAnswerTokens(), t.toString());
            assertEquals(t.answer(), CharVocab.decode(a));
            assertTrue(CharVocab.finished(a));
            minLen = Math.min(minLen, a.length);
            maxLen = Math.max(maxLen, a.length);
        }
        assertEquals(TaskKind.values().length, seen.size());
        assertEquals(2, minLen);   // one character + <eos>
        assertEquals(TaskFamily.maxAnswerTokens(), maxLen);
    }

    @Test
    void heldOutExcludesAndRewardMatchesExactly() {
        Set<String> train = new java.util.HashSet<>();
        new TaskFamily(1).take(5000).forEach(t -> train.add(t.prompt()));
        List<Task> held = TaskFamily.heldOut(2, 300, train);
        assertEquals(300, held.size());
        held.forEach(t -> assertTrue(!train.contains(t.prompt()), t.prompt()));
        Task t = held.get(0);
        var reward = TaskFamily.exactMatch(Map.of(t.prompt(), t.answer()));
        assertEquals(1.0, reward.fn().score(t.prompt(), t.answer()));
        assertEquals(0.0, reward.fn().score(t.prompt(), t.answer() + "x"));
    }

    @Test
    void partialCreditCountsCharactersInPlace() {
        var pc = TaskFamily.partialCredit(Map.of("Rabcd=", "dcba"), 0.5);
        assertEquals(0.5, pc.fn().score("Rabcd=", "dcba"));
        assertEquals(0.5 * 3 / 4, pc.fn().score("Rabcd=", "dcbx"));
        assertEquals(0.5 * 2 / 4, pc.fn().score("Rabcd=", "dc"));       // missing characters count against
        assertEquals(0.5 * 4 / 6, pc.fn().score("Rabcd=", "dcbaaa"));   // so do extra ones
        assertEquals(0.0, pc.fn().score("Rabcd=", "abcd"));
        org.junit.jupiter.api.Assertions.assertThrows(dev.frugal.InvalidSettingException.class,
                () -> TaskFamily.partialCredit(Map.of(), -1));
    }
}
