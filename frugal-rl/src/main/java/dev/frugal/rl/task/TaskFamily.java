package dev.frugal.rl.task;

import dev.frugal.rl.RewardFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded stream of {@link Task}s, every kind equally likely. Training, GRPO and held-out evaluation draw from
 * different seeds; {@link #heldOut} also drops any prompt the training stream of the same family would make in its
 * first {@code n} draws, so held-out prompts are unseen.
 */
public final class TaskFamily {
    private static final String LETTERS = "abcdefgh";
    private final SplittableRandom rng;

    public TaskFamily(long seed) { rng = new SplittableRandom(seed); }

    public Task next() {
        TaskKind k = TaskKind.values()[rng.nextInt(TaskKind.values().length)];
        return switch (k) {
            case ADD -> {
                int a = number(), b = number();
                yield new Task(k, "A" + a + "+" + b + "=", Integer.toString(a + b));
            }
            case REVERSE -> {
                String s = letters(1 + rng.nextInt(12));
                yield new Task(k, "R" + s + "=", new StringBuilder(s).reverse().toString());
            }
            case SORT -> {
                StringBuilder d = new StringBuilder();
                int n = 1 + rng.nextInt(12);
                for (int i = 0; i < n; i++) d.append((char) ('0' + rng.nextInt(10)));
                char[] c = d.toString().toCharArray();
                java.util.Arrays.sort(c);
                yield new Task(k, "S" + d + "=", new String(c));
            }
            case COUNT -> {
                String s = letters(1 + rng.nextInt(12));
                char x = LETTERS.charAt(rng.nextInt(4));
                long n = s.chars().filter(ch -> ch == x).count();
                yield new Task(k, "C" + s + ":" + x + "=", Long.toString(n));
            }
            case REPEAT -> {
                String w = letters(1 + rng.nextInt(4));
                int times = 1 + rng.nextInt(6);
                yield new Task(k, "K" + w + "*" + times + "=", w.repeat(times));
            }
        };
    }

    public List<Task> take(int n) {
        List<Task> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(next());
        return out;
    }

    /** {@code n} tasks from {@code seed} whose prompts are not among {@code exclude}'s. */
    public static List<Task> heldOut(long seed, int n, java.util.Set<String> exclude) {
        TaskFamily f = new TaskFamily(seed);
        List<Task> out = new ArrayList<>();
        while (out.size() < n) {
            Task t = f.next();
            if (!exclude.contains(t.prompt())) out.add(t);
        }
        return out;
    }

    private int number() { return rng.nextInt(new int[] {10, 100, 1000}[rng.nextInt(3)]); }

    private String letters(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(LETTERS.charAt(rng.nextInt(4))); // a–d: repeats make counting matter
        return sb.toString();
    }

    /** Longest prompt in tokens, {@code <bos>} included (COUNT with 12 letters). */
    public static int maxPromptTokens() { return 1 + 1 + 12 + 3; }

    /** Longest answer in tokens, {@code <eos>} included (REPEAT: 4 letters × 6). */
    public static int maxAnswerTokens() { return 24 + 1; }

    /**
     * The verifiable reward: 1 when the completion's text before {@code <eos>} equals the answer and it did end with
     * {@code <eos>}, else 0. The prompt text (as {@link Task#prompt()}) is the key to the answer.
     */
    public static RewardFunction.Named exactMatch(java.util.Map<String, String> answers) {
        return RewardFunction.named("exact_match", (prompt, completion) -> {
            String want = answers.get(prompt);
            if (want == null) throw new IllegalArgumentException("no answer known for prompt " + prompt);
            return completion.equals(want) ? 1.0 : 0.0;
        });
    }

    /**
     * Partial credit, a denser reward to add to {@link #exactMatch} (TRL sums a list of rewards): the fraction of the
     * answer's characters the completion has at the same position, over the longer of the two, so that extra or
     * missing characters cost too; {@code weight} scales it. A completion that never ended reads with a trailing
     * {@code …}, which counts as one extra character.
     */
    public static RewardFunction.Named partialCredit(java.util.Map<String, String> answers, double weight) {
        if (!(weight > 0) || Double.isInfinite(weight))
            throw new dev.frugal.InvalidSettingException("partialCreditWeight", "must be a finite value > 0, got " + weight);
        return RewardFunction.named("partial_credit", (prompt, completion) -> {
            String want = answers.get(prompt);
            if (want == null) throw new IllegalArgumentException("no answer known for prompt " + prompt);
            int same = 0, n = Math.min(want.length(), completion.length());
            for (int i = 0; i < n; i++) if (want.charAt(i) == completion.charAt(i)) same++;
            return weight * same / Math.max(1, Math.max(want.length(), completion.length()));
        });
    }
}
