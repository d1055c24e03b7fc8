package dev.frugal.rl.task;

/** One task instance: prompt text (without {@code <bos>}) and its only correct answer (without {@code <eos>}). */
public record Task(TaskKind kind, String prompt, String answer) {
    public Task {
        java.util.Objects.requireNonNull(kind, "kind");
        if (prompt.isEmpty() || answer.isEmpty()) throw new IllegalArgumentException("empty prompt or answer");
    }
}
