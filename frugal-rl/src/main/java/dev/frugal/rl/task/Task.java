package dev.frugal.rl.task;

/**
 * One task instance: prompt text (without {@code <bos>}), its only correct answer, and the completion pretraining
 * teaches for it (without {@code <eos>}): the answer, after zero to three restatements of the prompt's operands, each
 * followed by {@code ;} (see {@link TaskFamily}). A completion is right when its text after the last {@code ;} is the
 * answer.
 */
public record Task(TaskKind kind, String prompt, String answer, String completion) {
    public Task {
        java.util.Objects.requireNonNull(kind, "kind");
        if (prompt.isEmpty() || answer.isEmpty()) throw new IllegalArgumentException("empty prompt or answer");
        if (!TaskFamily.finalAnswer(completion).equals(answer))
            throw new IllegalArgumentException("completion " + completion + " does not end with the answer " + answer);
    }

    /** A task whose completion is its bare answer. */
    public Task(TaskKind kind, String prompt, String answer) { this(kind, prompt, answer, answer); }
}
