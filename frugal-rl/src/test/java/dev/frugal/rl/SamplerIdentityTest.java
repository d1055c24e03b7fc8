package dev.frugal.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.tensor.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The four schedules give the same completions, token for token, on two architectures; micro holds fewer KV bytes
 * than full; infinite takes no more decode steps than micro.
 */
class SamplerIdentityTest {
    static Path fixture(String arch) { return dev.frugal.model.Fixtures.dir(arch); }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama", "qwen3", "gpt2"})
    void allFourSamplersAgree(String arch) {
        try (CausalLM m = Models.loadCausalLM(fixture(arch), Device.CPU)) {
            long vocab = m.config().vocabSize();
            SplittableRandom r = new SplittableRandom(7);
            List<long[]> prompts = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                long[] pr = new long[2 + r.nextInt(6)];
                for (int i = 0; i < pr.length; i++) pr[i] = r.nextLong(vocab);
                prompts.add(pr);
            }
            int g = 6, maxLen = 12;
            // EOS = the token the random model emits most often, so that completion lengths vary
            SamplerConfig probe = new SamplerConfig(SamplingMode.FULL, g, 2, 0, maxLen, 0.7, 1.0, 11, -1, 0.5);
            java.util.Map<Long, Integer> freq = new java.util.HashMap<>();
            for (Completion c : GroupSampler.sample(m, prompts, probe, null).completions())
                for (long t : c.tokens()) freq.merge(t, 1, Integer::sum);
            long eos = java.util.Collections.max(freq.entrySet(), java.util.Map.Entry.comparingByValue()).getKey();
            SamplerConfig base = new SamplerConfig(SamplingMode.FULL, g, 2, 0, maxLen, 0.7, 1.0, 11, eos, 0.5);
            LengthPredictor pred = new LengthPredictor(1.0);
            List<GroupSampler.Result> results = new ArrayList<>();
            for (SamplingMode mode : SamplingMode.values())
                results.add(GroupSampler.sample(m, prompts, base.withMode(mode), pred));
            List<Completion> ref = results.get(0).completions();
            assertEquals(prompts.size() * g, ref.size());
            for (int k = 1; k < results.size(); k++) {
                List<Completion> c = results.get(k).completions();
                for (int i = 0; i < ref.size(); i++)
                    assertArrayEquals(ref.get(i).tokens(), c.get(i).tokens(), arch + ": " + SamplingMode.values()[k]
                            + " completion " + i + " differs from full");
            }
            SamplingStats full = results.get(0).stats(), micro = results.get(SamplingMode.MICRO.ordinal()).stats();
            int minLen = ref.stream().mapToInt(c -> c.tokens().length).min().orElseThrow();
            assertTrue(minLen < maxLen, arch + ": lengths should vary (EOS " + eos + ")");
            assertTrue(micro.kvPeakBytes() < full.kvPeakBytes(), "micro " + micro.kvPeakBytes() + " vs full "
                    + full.kvPeakBytes());
            SamplingStats infinite = results.get(SamplingMode.INFINITE.ordinal()).stats();
            assertTrue(infinite.decodeSteps() <= results.get(SamplingMode.MICRO.ordinal()).stats().decodeSteps(), arch
                    + ": infinite took " + infinite.decodeSteps() + " decode steps, micro " + micro.decodeSteps());
            for (GroupSampler.Result res : results)
                System.out.printf("%s %s: slots %d, steps %d, tokens %d, kv %d B%n", arch, res.stats().grouping(),
                        res.stats().slots(), res.stats().decodeSteps(), res.stats().tokens(), res.stats().kvPeakBytes());
            // top-p sampling agrees too
            SamplerConfig nucleus = new SamplerConfig(SamplingMode.CONTINUOUS, g, 3, 0, maxLen, 1.0, 0.8, 3, eos, 0.5);
            var a = GroupSampler.sample(m, prompts, nucleus, pred).completions();
            var b = GroupSampler.sample(m, prompts, nucleus.withMode(SamplingMode.FULL), pred).completions();
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
        }
    }

    /** Replayed lengths: every completion ends at its given length, and the four samplers still agree token for token. */
    @Test
    void replayedLengthsAreKeptByEverySampler() {
        try (CausalLM m = Models.loadCausalLM(fixture("llama"), Device.CPU)) {
            long vocab = m.config().vocabSize();
            SplittableRandom r = new SplittableRandom(5);
            List<long[]> prompts = new ArrayList<>();
            for (int p = 0; p < 3; p++) prompts.add(new long[] {r.nextLong(vocab), r.nextLong(vocab), r.nextLong(vocab)});
            int g = 4, maxLen = 9;
            int[] lengths = new int[prompts.size() * g];
            for (int i = 0; i < lengths.length; i++) lengths[i] = 1 + r.nextInt(maxLen);
            SamplerConfig base = new SamplerConfig(SamplingMode.FULL, g, 2, 0, maxLen, 1.0, 1.0, 9, 0, 0.2); // EOS 0 ignored
            LengthPredictor pred = new LengthPredictor(1.0);
            List<Completion> ref = null;
            for (SamplingMode mode : SamplingMode.values()) {
                List<Completion> c = GroupSampler.replay(m, prompts, base.withMode(mode), pred, lengths).completions();
                for (int i = 0; i < lengths.length; i++) assertEquals(lengths[i], c.get(i).tokens().length, mode + " " + i);
                if (ref == null) ref = c;
                else for (int i = 0; i < ref.size(); i++) assertArrayEquals(ref.get(i).tokens(), c.get(i).tokens(), mode + " " + i);
            }
        }
    }
}
