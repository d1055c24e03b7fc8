package dev.frugal.rl.task;

import dev.frugal.model.CausalLM;
import dev.frugal.rl.GrpoConfig;
import dev.frugal.rl.GrpoTrainer;
import dev.frugal.rl.RewardFunction;
import dev.frugal.rl.SamplerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GRPO on the task family: prompts from a seeded {@link TaskFamily} stream, the exact-match reward, and a held-out set
 * of prompts seen neither in pretraining nor in this stream, scored by greedy decoding.
 */
public final class TaskGrpoRun implements AutoCloseable {
    private final CausalLM policy;
    private final GrpoTrainer trainer;
    private final TaskFamily stream;
    private final Map<String, String> answers = new HashMap<>();
    private final List<Task> heldOut;
    private final int promptsPerStep;

    /**
     * @param pretrainSeed    seed of the pretraining stream (its first {@code pretrainTasks} prompts are excluded
     *                        from the held-out set)
     * @param promptsPerStep  P; the batch is P·G completions
     */
    public TaskGrpoRun(CausalLM policy, CausalLM reference, GrpoConfig cfg, SamplerConfig sampling, long seed,
                       int promptsPerStep, int heldOutSize, long pretrainSeed, long pretrainTasks) {
        this.policy = policy;
        this.promptsPerStep = promptsPerStep;
        Set<String> seen = new HashSet<>();
        TaskFamily pre = new TaskFamily(pretrainSeed);
        for (long i = 0; i < pretrainTasks; i++) seen.add(pre.next().prompt());
        TaskFamily grpoPeek = new TaskFamily(seed);
        for (int i = 0; i < 20_000; i++) seen.add(grpoPeek.next().prompt());
        this.heldOut = TaskFamily.heldOut(seed ^ 0x5EEDL, heldOutSize, seen);
        this.stream = new TaskFamily(seed);
        RewardFunction.Named reward = TaskFamily.exactMatch(answers);
        this.trainer = new GrpoTrainer(policy, reference, cfg, sampling, List.of(reward), new GrpoTrainer.Codec() {
            @Override
            public long[] encodePrompt(String prompt) { return CharVocab.encodePrompt(prompt); }

            @Override
            public String decodeCompletion(long[] tokens) {
                // a completion that never ended cannot match
                return CharVocab.decode(tokens) + (CharVocab.finished(tokens) ? "" : "…");
            }
        });
    }

    public GrpoTrainer trainer() { return trainer; }

    public List<Task> heldOut() { return heldOut; }

    /** Greedy exact match on the held-out prompts. */
    public double evaluate() { return Pretrainer.exactMatch(policy, heldOut); }

    /** Skips the prompts of {@code steps} steps (resume: the stream continues where the checkpoint left it). */
    public void skip(int steps) {
        for (int i = 0; i < steps * promptsPerStep; i++) stream.next();
        trainer.resumeAt(steps);
    }

    /** One GRPO step on the next P prompts of the stream. */
    public Map<String, Object> step() {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < promptsPerStep; i++) {
            Task t = stream.next();
            answers.put(t.prompt(), t.answer());
            prompts.add(t.prompt());
        }
        return trainer.train(prompts);
    }

    @Override
    public void close() { trainer.close(); }
}
