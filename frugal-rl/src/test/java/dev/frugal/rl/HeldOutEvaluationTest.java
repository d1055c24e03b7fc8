package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.rl.task.CharVocab;
import dev.frugal.rl.task.Pretrainer;
import dev.frugal.rl.task.Task;
import dev.frugal.rl.task.TaskFamily;
import dev.frugal.rl.task.TinyLm;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampled held-out reward draws with the same random numbers as GRPO's sampler for the same seed: tasks whose
 * answers are a model's own sampled completions score 1 on exactly those, and the score repeats call after call.
 */
class HeldOutEvaluationTest {
    @Test
    void sampledExactMatchGradesTheSamplesGrpoWouldDraw(@TempDir Path dir) {
        try (CausalLM m = new TinyLm("llama", 32, 1, 2, 1, 48, TinyLm.POSITIONS).create(dir, 5, Device.CPU)) {
            List<Task> held = TaskFamily.heldOut(40);
            List<long[]> prompts = new ArrayList<>();
            for (Task t : held) prompts.add(CharVocab.encodePrompt(t.prompt()));
            SamplerConfig cfg = new SamplerConfig(SamplingMode.CONTINUOUS, 1, 1, 0, TaskFamily.maxAnswerTokens(), 1.0, 1.0,
                    77, CharVocab.EOS, 0.2);
            GroupSampler.Result r;
            try (GradMode off = GradMode.off()) { r = GroupSampler.sample(m, prompts, cfg, null); }
            // answers := the final answers of the completions that ended (and are not empty); the others get "zz",
            // which their own completions do not grade to
            List<Task> own = new ArrayList<>();
            int ended = 0;
            for (Completion c : r.completions()) {
                String text = TaskFamily.finalAnswer(CharVocab.decode(c.tokens()));
                boolean ok = CharVocab.finished(c.tokens()) && !text.isEmpty() && !text.equals("zz");
                if (ok) ended++;
                Task h = held.get(c.prompt());
                own.add(new Task(h.kind(), h.prompt(), ok ? text : "zz"));
            }
            assertTrue(ended >= 5, "a random 1-block model ends some completions: " + ended);
            // the generators are keyed by (seed, prompt index, sample index): the same list, the same draws
            assertEquals((double) ended / own.size(), Pretrainer.sampledExactMatch(m, own, 1, 1.0, 1.0, 77));
            double other = Pretrainer.sampledExactMatch(m, own, 1, 1.0, 1.0, 78);
            assertTrue(other < (double) ended / own.size(), "another seed draws other completions: " + other);
            assertEquals(other, Pretrainer.sampledExactMatch(m, own, 1, 1.0, 1.0, 78));
        }
    }
}
