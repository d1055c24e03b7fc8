package dev.frugal.rl.task;

import dev.frugal.rl.RewardFunction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded stream of {@link Task}s, every kind equally likely.
 *
 * <p><b>Restatements.</b> A taught completion restates the prompt's operands k times before the answer
 * ({@code Rabc=} → {@code cba}, {@code abc;cba}, {@code abc;abc;cba}, …), k = 0, 1, 2, 3 with probabilities 0.7, 0.1,
 * 0.1, 0.1, drawn per example. So a model trained on the family samples completions of widely different lengths for
 * one prompt, long-tailed, as reasoning traces are: the regime where a micro group's round waits for its longest
 * member. Only the text after the last {@code ;} is graded.
 *
 * <p><b>Held-out split.</b> {@link #heldOut} is the first draws of a fixed seed of the family; {@link #training}
 * streams skip every prompt among the first {@link #RESERVED} of those draws, so pretraining and GRPO never see a
 * held-out prompt, and the held-out set has the family's own mix of easy and hard prompts.
 */
public final class TaskFamily {
    /** Seed of the held-out stream. */
    public static final long HELD_OUT_SEED = 0x4E1D_0077L;
    /** Held-out draws reserved: training streams skip their prompts; {@link #heldOut} serves at most this many. */
    public static final int RESERVED = 2000;
    /** Probabilities of 0, 1, 2, 3 restatements in a taught completion. */
    static final double[] RESTATEMENTS = {0.7, 0.1, 0.1, 0.1};
    private static final String LETTERS = "abcdefgh";
    private static volatile Set<String> reserved;
    private final SplittableRandom rng;
    private final boolean skipReserved;

    /** The whole family, held-out prompts included (benchmarks, tests). */
    public TaskFamily(long seed) { this(seed, false); }

    private TaskFamily(long seed, boolean skipReserved) {
        rng = new SplittableRandom(seed);
        this.skipReserved = skipReserved;
    }

    /** A stream for training (pretraining, GRPO) that never yields a held-out prompt. */
    public static TaskFamily training(long seed) { return new TaskFamily(seed, true); }

    /** The first {@code n} draws (n ≤ {@link #RESERVED}) of the held-out stream; training streams never show them. */
    public static List<Task> heldOut(int n) {
        if (n < 1 || n > RESERVED) throw new dev.frugal.InvalidSettingException("heldOut", "must be in [1, " + RESERVED
                + "], got " + n);
        return new TaskFamily(HELD_OUT_SEED).take(n);
    }

    private static Set<String> reserved() {
        Set<String> r = reserved;
        if (r == null) {
            Set<String> s = new HashSet<>();
            for (Task t : new TaskFamily(HELD_OUT_SEED).take(RESERVED)) s.add(t.prompt());
            reserved = r = Set.copyOf(s);
        }
        return r;
    }

    /** Whether {@code prompt} belongs to the held-out split. */
    public static boolean isHeldOut(String prompt) { return reserved().contains(prompt); }

    public Task next() {
        Task t;
        do t = draw(); while (skipReserved && reserved().contains(t.prompt()));
        return t;
    }

    private Task draw() {
        Task t = bare();
        double u = rng.nextDouble(), c = 0;
        int k = 0;
        while (k < RESTATEMENTS.length - 1 && u >= (c += RESTATEMENTS[k])) k++;
        if (k == 0) return t;
        String body = t.prompt().substring(1, t.prompt().length() - 1) + ";";
        return new Task(t.kind(), t.prompt(), t.answer(), body.repeat(k) + t.answer());
    }

    /** The graded part of a completion: its text after the last {@code ;} (all of it when there is none). */
    public static String finalAnswer(String completion) {
        return completion.substring(completion.lastIndexOf(';') + 1);
    }

    private Task bare() {
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

    private int number() { return rng.nextInt(new int[] {10, 100, 1000}[rng.nextInt(3)]); }

    private String letters(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(LETTERS.charAt(rng.nextInt(4))); // a–d: repeats make counting matter
        return sb.toString();
    }

    /** Longest prompt in tokens, {@code <bos>} included (COUNT with 12 letters). */
    public static int maxPromptTokens() { return 1 + 1 + 12 + 3; }

    /**
     * Longest taught completion in tokens, {@code <eos>} included: three restatements of a 12-character body and a
     * 12-character answer (REVERSE, SORT).
     */
    public static int maxAnswerTokens() { return 3 * (12 + 1) + 12 + 1; }

    /**
     * The verifiable reward: 1 when the completion's {@link #finalAnswer} equals the answer and it did end with
     * {@code <eos>} (a completion that did not reads with a trailing {@code …}), else 0. The prompt text (as
     * {@link Task#prompt()}) is the key to the answer.
     */
    public static RewardFunction.Named exactMatch(java.util.Map<String, String> answers) {
        return RewardFunction.named("exact_match", (prompt, completion) -> {
            String want = answers.get(prompt);
            if (want == null) throw new IllegalArgumentException("no answer known for prompt " + prompt);
            return finalAnswer(completion).equals(want) ? 1.0 : 0.0;
        });
    }

    /**
     * Partial credit, a denser reward to add to {@link #exactMatch} (TRL sums a list of rewards): the fraction of the
     * answer's characters the completion's {@link #finalAnswer} has at the same position, over the longer of the two, so that extra or
     * missing characters cost too; {@code weight} scales it. A completion that never ended reads with a trailing
     * {@code …}, which counts as one extra character.
     */
    public static RewardFunction.Named partialCredit(java.util.Map<String, String> answers, double weight) {
        if (!(weight > 0) || Double.isInfinite(weight))
            throw new dev.frugal.InvalidSettingException("partialCreditWeight", "must be a finite value > 0, got " + weight);
        return RewardFunction.named("partial_credit", (prompt, completion) -> {
            String want = answers.get(prompt);
            if (want == null) throw new IllegalArgumentException("no answer known for prompt " + prompt);
            String got = finalAnswer(completion);
            int same = 0, n = Math.min(want.length(), got.length());
            for (int i = 0; i < n; i++) if (want.charAt(i) == got.charAt(i)) same++;
            return weight * same / Math.max(1, Math.max(want.length(), got.length()));
        });
    }
}
