package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GRPO steps on the llama fixture: a failing reward changes nothing; a good one moves the policy; bad inputs. */
class GrpoTrainerTest {
    private static final GrpoTrainer.Codec CODEC = new GrpoTrainer.Codec() {
        @Override
        public long[] encodePrompt(String prompt) { return prompt.chars().mapToLong(c -> c % 500).toArray(); }

        @Override
        public String decodeCompletion(long[] tokens) { return java.util.Arrays.toString(tokens); }
    };

    private static Map<String, float[]> snapshot(CausalLM m) {
        Map<String, float[]> s = new java.util.HashMap<>();
        m.namedParameters().forEach((k, v) -> s.put(k, v.toFloatArray()));
        return s;
    }

    /**
     * A run resumed from step 2 (parameters + {@link GrpoTrainer#saveOptimizer}) takes steps 3–4 bit for bit like the
     * run that never stopped; without the optimizer state (fresh AdamW moments) it does not.
     */
    @Test
    void resumeWithOptimizerStateIsExact(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        GrpoConfig cfg = GrpoConfig.defaults(4, 6).withLearningRate(1e-2);
        SamplerConfig sc = new SamplerConfig(SamplingMode.CONTINUOUS, 4, 2, 0, 6, 1.0, 1.0, 3, -1, 0.5);
        var even = RewardFunction.named("even", (p, c) -> c.chars().filter(ch -> ch == '2' || ch == '4').count());
        List<String> prompts = List.of("ab", "cde");
        java.nio.file.Path opt = dir.resolve(GrpoTrainer.OPTIMIZER_FILE);
        Map<String, float[]> atTwo, straight, resumed, fresh;
        try (CausalLM m = Models.loadCausalLM(SamplerIdentityTest.fixture("llama"), Device.CPU);
             GrpoTrainer t = new GrpoTrainer(m, null, cfg, sc, List.of(even), CODEC)) {
            t.train(prompts);
            t.train(prompts);
            t.saveOptimizer(opt);
            atTwo = snapshot(m);
            t.train(prompts);
            t.train(prompts);
            straight = snapshot(m);
        }
        resumed = continueFrom(atTwo, cfg, sc, even, prompts, opt);
        fresh = continueFrom(atTwo, cfg, sc, even, prompts, null);
        boolean anyDiffers = false;
        for (var e : straight.entrySet()) {
            assertTrue(java.util.Arrays.equals(e.getValue(), resumed.get(e.getKey())), e.getKey() + " differs after resume");
            anyDiffers |= !java.util.Arrays.equals(e.getValue(), fresh.get(e.getKey()));
        }
        assertTrue(anyDiffers, "fresh AdamW moments gave the same parameters: the test would not see lost moments");
    }

    private static Map<String, float[]> continueFrom(Map<String, float[]> params, GrpoConfig cfg, SamplerConfig sc,
                                                     RewardFunction.Named reward, List<String> prompts, java.nio.file.Path opt) {
        try (CausalLM m = Models.loadCausalLM(SamplerIdentityTest.fixture("llama"), Device.CPU)) {
            try (dev.frugal.tensor.Scope s = dev.frugal.tensor.Scope.open();
                 dev.frugal.tensor.GradMode off = dev.frugal.tensor.GradMode.off()) {
                m.namedParameters().forEach((k, v) -> v.copyFrom(Tensors.fromFloats(params.get(k), v.shape())));
            }
            try (GrpoTrainer t = new GrpoTrainer(m, null, cfg, sc, List.of(reward), CODEC)) {
                if (opt != null) t.loadOptimizer(opt);
                else t.resumeAt(2);
                assertEquals(2, t.step());
                t.train(prompts);
                t.train(prompts);
            }
            return snapshot(m);
        }
    }

    @Test
    void failingRewardAppliesNothingAndAGoodOneTrains() {
        try (CausalLM m = Models.loadCausalLM(SamplerIdentityTest.fixture("llama"), Device.CPU)) {
            GrpoConfig cfg = GrpoConfig.defaults(4, 6).withLearningRate(1e-2);
            SamplerConfig sc = new SamplerConfig(SamplingMode.INFINITE, 4, 2, 0, 6, 1.0, 1.0, 3, -1, 0.5);
            var bad = RewardFunction.named("len_ratio", (p, c) -> c.contains("1") ? Double.NaN : 1);
            Map<String, float[]> before = snapshot(m);
            try (GrpoTrainer t = new GrpoTrainer(m, null, cfg, sc, List.of(bad), CODEC)) {
                RewardException e = assertThrows(RewardException.class, () -> t.train(List.of("ab", "cde")));
                assertEquals("len_ratio", e.reward());
                assertTrue(e.getMessage().contains("sample " + e.sample()), e.getMessage());
                assertEquals(0, t.step());
            }
            snapshot(m).forEach((k, v) -> assertTrue(java.util.Arrays.equals(before.get(k), v), k + " changed"));
            // reward: how many of the completion's tokens are even, so the group has spread
            var even = RewardFunction.named("even", (p, c) -> c.chars().filter(ch -> ch == '2' || ch == '4').count());
            try (GrpoTrainer t = new GrpoTrainer(m, null, cfg.withNumIterations(2), sc, List.of(even), CODEC)) {
                Map<String, Object> s1 = t.train(List.of("ab", "cde"));
                assertEquals(1, s1.get("step"));
                assertTrue(Double.isFinite((double) s1.get("loss")));
                Map<String, Object> s2 = t.train(List.of("ab", "cde"));
                assertTrue(s2.containsKey("length_predictor/mae"), s2.toString());
            }
            boolean moved = false;
            for (var e : snapshot(m).entrySet()) moved |= !java.util.Arrays.equals(before.get(e.getKey()), e.getValue());
            assertTrue(moved, "two GRPO steps left every parameter unchanged");
        }
    }

    /** Probability mass of even token ids at the first completion position of {@code prompt}. */
    private static double evenMass(CausalLM m, long[] prompt) {
        try (var s = dev.frugal.tensor.Scope.open(); var off = dev.frugal.tensor.GradMode.off()) {
            float[] l = m.logits(Tensors.fromLongs(prompt, 1, prompt.length)).select(1, prompt.length - 1).select(0, 0)
                    .toFloatArray();
            double max = Double.NEGATIVE_INFINITY, z = 0, even = 0;
            for (float v : l) max = Math.max(max, v);
            for (int i = 0; i < l.length; i++) {
                double e = Math.exp(l[i] - max);
                z += e;
                if (i % 2 == 0) even += e;
            }
            return even / z;
        }
    }

    /** The sign of the whole loop: rewarding an even first token raises the probability of even first tokens. */
    @Test
    void rewardedBehaviourBecomesMoreLikely() {
        try (CausalLM m = Models.loadCausalLM(SamplerIdentityTest.fixture("llama"), Device.CPU)) {
            GrpoTrainer.Codec codec = new GrpoTrainer.Codec() {
                @Override
                public long[] encodePrompt(String prompt) { return new long[] {7, 11, 13}; }

                @Override
                public String decodeCompletion(long[] tokens) { return Long.toString(tokens[0]); }
            };
            var even = RewardFunction.named("even_first", (p, c) -> Long.parseLong(c) % 2 == 0 ? 1 : 0);
            GrpoConfig cfg = GrpoConfig.defaults(8, 2).withLearningRate(3e-3);
            SamplerConfig sc = new SamplerConfig(SamplingMode.CONTINUOUS, 8, 8, 0, 2, 1.0, 1.0, 5, -1, 0.5);
            double before = evenMass(m, new long[] {7, 11, 13});
            try (GrpoTrainer t = new GrpoTrainer(m, null, cfg, sc, List.of(even), codec)) {
                for (int i = 0; i < 8; i++) t.train(List.of("x", "y"));
            }
            double after = evenMass(m, new long[] {7, 11, 13});
            System.out.printf("P(even first token): %.4f -> %.4f%n", before, after);
            assertTrue(after > before + 0.05, "P(even first token) " + before + " -> " + after);
        }
    }

    /** A KV budget of 17 slot rows picks 16 slots (the decoder allocates rows in blocks of 16); KV bytes stay within it. */
    @Test
    void kvBudgetPicksTheSlotCount() {
        try (CausalLM m = Models.loadCausalLM(SamplerIdentityTest.fixture("llama"), Device.CPU)) {
            List<long[]> prompts = List.of(new long[] {1, 2, 3}, new long[] {4, 5}, new long[] {6, 7, 8, 9});
            int maxLen = 5, capacity = 4 + maxLen;
            long perRow;
            try (var d = new dev.frugal.model.SlotDecoder(m, 1, capacity); var pf = d.prefill(new long[] {1})) {
                perRow = dev.frugal.model.SlotDecoder.bytesPerRow(m, pf, capacity);
            }
            SamplerConfig sc = new SamplerConfig(SamplingMode.CONTINUOUS, 6, 0, 17 * perRow + 7, maxLen, 1.0, 1.0, 3, -1, 0.5);
            SamplingStats st = GroupSampler.sample(m, prompts, sc, null).stats();
            assertEquals(16, st.slots());
            assertTrue(st.kvPeakBytes() - 16 * perRow < perRow, "slot cache " + st.kvPeakBytes() + " B for 16 rows of " + perRow);
        }
    }

    @Test
    void badInputsNameTheOption() {
        try (CausalLM m = Models.loadCausalLM(SamplerIdentityTest.fixture("llama"), Device.CPU);
             CausalLM q = Models.loadCausalLM(SamplerIdentityTest.fixture("qwen3"), Device.CPU)) {
            var ex = assertThrows(dev.frugal.UserInputException.class, () -> GrpoTrainer.checkReference(m, q));
            assertTrue(ex.getMessage().contains("architecture"), ex.getMessage());
            long vocab = m.config().vocabSize();
            SamplerConfig sc = new SamplerConfig(SamplingMode.MICRO, 4, 2, 0, 4, 1.0, 1.0, 3, -1, 0.5);
            var ids = assertThrows(dev.frugal.UserInputException.class,
                    () -> GroupSampler.sample(m, List.of(new long[] {1, vocab}), sc, null));
            assertTrue(ids.getMessage().contains("token id " + vocab), ids.getMessage());
            long[] longPrompt = new long[m.config().maxPositions()];
            var len = assertThrows(dev.frugal.UserInputException.class, () -> GroupSampler.sample(m, List.of(longPrompt), sc, null));
            assertTrue(len.getMessage().contains("positions"), len.getMessage());
            var budget = assertThrows(dev.frugal.UserInputException.class, () -> GroupSampler.sample(m, List.of(new long[] {1}),
                    new SamplerConfig(SamplingMode.MICRO, 4, 0, 100, 4, 1.0, 1.0, 3, -1, 0.5), null));
            assertTrue(budget.getMessage().contains("smaller than one sequence"), budget.getMessage());
            assertThrows(dev.frugal.UserInputException.class,
                    () -> new SamplerConfig(SamplingMode.MICRO, 4, 5, 0, 4, 1.0, 1.0, 3, -1, 0.5));
            assertThrows(dev.frugal.UserInputException.class,
                    () -> new SamplerConfig(SamplingMode.MICRO, 4, 2, 0, 0, 1.0, 1.0, 3, -1, 0.5));
            assertFalse(Tensors.zeros(1).requiresGrad());
        }
    }
}
