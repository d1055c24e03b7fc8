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

/**
 * The task family: answers checked independently, restatements as documented, lengths spread widely, the vocabulary
 * round-trips, training streams never show a held-out prompt.
 */
class TaskFamilyTest {
    @Test
    void answersAreRightAndLengthsVary() {
        List<Task> tasks = new TaskFamily(3).take(20_000);
        Map<TaskKind, Integer> seen = new EnumMap<>(TaskKind.class);
        int[] restated = new int[4];
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
            // the completion: k copies of the body, each followed by ';', then the answer
            String c = t.completion();
            int k = (c.length() - want.length()) / (body.length() + 1);
            assertEquals((body + ";").repeat(k) + want, c, t.prompt());
            restated[k]++;
            assertEquals(want, TaskFamily.finalAnswer(c));
            long[] p = CharVocab.encodePrompt(t.prompt()), a = CharVocab.encodeAnswer(c);
            assertTrue(p.length <= TaskFamily.maxPromptTokens() && a.length <= TaskFamily.maxAnswerTokens(), t.toString());
            assertEquals(c, CharVocab.decode(a));
            assertTrue(CharVocab.finished(a));
            minLen = Math.min(minLen, a.length);
            maxLen = Math.max(maxLen, a.length);
        }
        assertEquals(TaskKind.values().length, seen.size());
        // 0, 1, 2, 3 restatements with probabilities 0.7, 0.1, 0.1, 0.1 (20,000 draws: ±1 % is > 3 standard errors)
        assertEquals(0.7, restated[0] / 20_000.0, 0.012);
        for (int k = 1; k < 4; k++) assertEquals(0.1, restated[k] / 20_000.0, 0.01, "k = " + k);
        assertEquals(2, minLen);   // one character + <eos>
        assertEquals(TaskFamily.maxAnswerTokens(), maxLen);
    }

    @Test
    void trainingStreamsNeverShowAHeldOutPrompt() {
        List<Task> held = TaskFamily.heldOut(TaskFamily.RESERVED);
        assertEquals(held, TaskFamily.heldOut(TaskFamily.RESERVED)); // fixed
        Set<String> heldPrompts = new java.util.HashSet<>();
        held.forEach(t -> heldPrompts.add(t.prompt()));
        int overlapInRawStream = 0;
        for (Task t : new TaskFamily(1).take(20_000)) if (heldPrompts.contains(t.prompt())) overlapInRawStream++;
        assertTrue(overlapInRawStream > 100, "the raw stream does repeat held-out prompts: " + overlapInRawStream);
        for (Task t : TaskFamily.training(1).take(20_000))
            assertTrue(!heldPrompts.contains(t.prompt()) && !TaskFamily.isHeldOut(t.prompt()), t.prompt());
        org.junit.jupiter.api.Assertions.assertThrows(dev.frugal.InvalidSettingException.class,
                () -> TaskFamily.heldOut(TaskFamily.RESERVED + 1));
    }

    @Test
    void rewardGradesTheTextAfterTheLastRestatement() {
        var reward = TaskFamily.exactMatch(Map.of("Rabc=", "cba"));
        assertEquals(1.0, reward.fn().score("Rabc=", "cba"));
        assertEquals(1.0, reward.fn().score("Rabc=", "abc;abc;cba"));
        assertEquals(1.0, reward.fn().score("Rabc=", "xyz;cba"));            // restatements are not graded
        assertEquals(0.0, reward.fn().score("Rabc=", "cba;abc"));
        assertEquals(0.0, reward.fn().score("Rabc=", "cbax"));
        assertEquals(0.0, reward.fn().score("Rabc=", "abc;cba…"));           // never ended
        assertEquals(0.5 * 2 / 3, TaskFamily.partialCredit(Map.of("Rabc=", "cba"), 0.5).fn().score("Rabc=", "abc;cbx"));
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
