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
 * GRPO on the task family: prompts from a seeded {@link TaskFamily} stream (those pretraining never showed), the
 * exact-match reward (plus partial credit if asked), and a held-out set of prompts seen neither in pretraining nor in
 * this stream, scored by greedy decoding.
 */
public final class TaskGrpoRun implements AutoCloseable {
    private final CausalLM policy;
    private final GrpoTrainer trainer;
    private final TaskFamily stream;
    private final Map<String, String> answers = new HashMap<>();
    private final List<Task> heldOut;
    private final int promptsPerStep;
    private final Set<String> pretrained;

    /**
     * @param pretrainSeed    seed of the pretraining stream (its first {@code pretrainTasks} prompts are excluded
     *                        from the held-out set)
     * @param promptsPerStep  P; the batch is P·G completions
     */
    public TaskGrpoRun(CausalLM policy, CausalLM reference, GrpoConfig cfg, SamplerConfig sampling, long seed,
                       int promptsPerStep, int heldOutSize, long pretrainSeed, long pretrainTasks) {
        this(policy, reference, cfg, sampling, seed, promptsPerStep, heldOutSize, pretrainSeed, pretrainTasks, 0);
    }

    /**
     * @param partialCreditWeight weight of {@link TaskFamily#partialCredit} added to the exact-match reward (0 = exact
     *                            match alone); held-out evaluation is exact match either way
     */
    public TaskGrpoRun(CausalLM policy, CausalLM reference, GrpoConfig cfg, SamplerConfig sampling, long seed,
                       int promptsPerStep, int heldOutSize, long pretrainSeed, long pretrainTasks,
                       double partialCreditWeight) {
        this.policy = policy;
        this.promptsPerStep = promptsPerStep;
        Set<String> pretrained = new HashSet<>();
        TaskFamily pre = new TaskFamily(pretrainSeed);
        for (long i = 0; i < pretrainTasks; i++) pretrained.add(pre.next().prompt());
        this.pretrained = Set.copyOf(pretrained);
        Set<String> seen = new HashSet<>(pretrained);
        TaskFamily grpoPeek = new TaskFamily(seed);
        for (int i = 0; i < 20_000; i++) seen.add(nextUnseen(grpoPeek).prompt());
        this.heldOut = TaskFamily.heldOut(seed ^ 0x5EEDL, heldOutSize, seen);
        this.stream = new TaskFamily(seed);
        List<RewardFunction.Named> rewards = new ArrayList<>(List.of(TaskFamily.exactMatch(answers)));
        if (partialCreditWeight > 0) rewards.add(TaskFamily.partialCredit(answers, partialCreditWeight));
        this.trainer = new GrpoTrainer(policy, reference, cfg, sampling, rewards, new GrpoTrainer.Codec() {
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
        for (int i = 0; i < steps * promptsPerStep; i++) nextUnseen(stream);
        trainer.resumeAt(steps);
    }

    /** One GRPO step on the next P prompts of the stream. */
    public Map<String, Object> step() {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < promptsPerStep; i++) {
            Task t = nextUnseen(stream);
            answers.put(t.prompt(), t.answer());
            prompts.add(t.prompt());
        }
        return trainer.train(prompts);
    }

    /**
     * The stream's next task whose prompt pretraining never showed: GRPO trains on the same kind of prompts as the
     * held-out set (new ones), not on the short prompts pretraining has already covered, whose groups are all right and
     * carry no advantage.
     */
    private Task nextUnseen(TaskFamily f) {
        Task t;
        do t = f.next(); while (pretrained.contains(t.prompt()));
        return t;
    }

    @Override
    public void close() { trainer.close(); }
}
