package dev.frugal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slot decoding against the plain KV-cache path (within the conformance tolerance), and its batch invariance: a row's
 * logits are bit-identical whether it decodes alone or beside other rows at other positions, with idle slots.
 */
class SlotDecoderTest {
    static Stream<Path> decoders() {
        return Fixtures.architectureDirs().stream().filter(d -> Models.DECODER_TYPES.contains(HfConfig.read(d).modelType()));
    }

    private static long[] ids(SplittableRandom r, int n, long vocab) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = r.nextLong(vocab);
        return a;
    }

    /** Logits after each of {@code fed} through the plain path: one prefill, then one token per call. */
    private static float[][] plain(CausalLM m, long[] prompt, long[] fed) {
        float[][] out = new float[fed.length][];
        try (KvCache kv = new KvCache(m.blockParams().size()); GradMode g = GradMode.off()) {
            try (Scope s = Scope.open()) {
                m.logits(Tensors.fromLongs(prompt, 1, prompt.length).to(m.device()), null, kv, null);
            }
            for (int i = 0; i < fed.length; i++) {
                try (Scope s = Scope.open()) {
                    Tensor l = m.logits(Tensors.fromLongs(new long[] {fed[i]}, 1, 1).to(m.device()), null, kv, null);
                    out[i] = l.select(1, 0).select(0, 0).toFloatArray();
                }
            }
        }
        return out;
    }

    /**
     * Decodes {@code prompt} + {@code fed} in slot {@code slot} of {@code slots}; the other slots hold other prompts
     * that start at staggered steps (idle until then) and go on feeding random tokens.
     */
    private static float[][] slotted(CausalLM m, long[] prompt, long[] fed, int slots, int slot, long seed) {
        long vocab = m.config().vocabSize();
        SplittableRandom r = new SplittableRandom(seed);
        int cap = Math.min(m.config().maxPositions(), 32);
        float[][] out = new float[fed.length][];
        try (SlotDecoder d = new SlotDecoder(m, slots, cap)) {
            long[] pos = new long[slots], tok = new long[slots];
            int[] start = new int[slots];
            long[][] others = new long[slots][];
            for (int s = 0; s < slots; s++) {
                start[s] = s == slot ? 0 : r.nextInt(4);
                others[s] = s == slot ? prompt : ids(r, 1 + r.nextInt(7), vocab);
            }
            for (int step = 0; step < fed.length; step++) {
                for (int s = 0; s < slots; s++) {
                    if (start[s] == step) {
                        try (SlotDecoder.Prefill p = d.prefill(others[s])) { d.load(s, p); }
                        pos[s] = others[s].length;
                    } else if (step > start[s]) pos[s]++;
                    boolean active = step >= start[s];
                    tok[s] = s == slot ? fed[step] : active ? r.nextLong(vocab) : 0;
                }
                long[] feedPos = new long[slots];
                for (int s = 0; s < slots; s++) feedPos[s] = step >= start[s] ? pos[s] : 0;
                float[][] l = d.step(tok, feedPos);
                out[step] = l[slot];
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void matchesThePlainPathAndIsBatchInvariant(Path dir) {
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            long vocab = m.config().vocabSize();
            for (long seed = 1; seed <= 3; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                long[] prompt = ids(r, 3 + r.nextInt(5), vocab), fed = ids(r, 8, vocab);
                float[][] ref = plain(m, prompt, fed);
                float[][] alone = slotted(m, prompt, fed, 1, 0, seed);
                double worst = 0;
                for (int i = 0; i < fed.length; i++) worst = Math.max(worst, maxAbs(ref[i], alone[i]));
                assertTrue(worst <= Fixtures.tolerance(), dir.getFileName() + " seed " + seed + ": slot vs plain " + worst);
                for (int[] layout : List.of(new int[] {5, 2}, new int[] {3, 0}, new int[] {8, 7}, new int[] {20, 17})) {
                    float[][] shared = slotted(m, prompt, fed, layout[0], layout[1], seed * 31 + layout[0]);
                    double diff = 0;
                    for (int i = 0; i < fed.length; i++) diff = Math.max(diff, maxAbs(alone[i], shared[i]));
                    assertEquals(0.0, diff, dir.getFileName() + " seed " + seed + ": slot " + layout[1] + " of "
                            + layout[0] + " differs from the row decoded alone by " + diff);
                }
                System.out.printf("%s seed %d: slot vs plain max |Δ| %.2e; alone vs shared 0 (bit-identical)%n",
                        dir.getFileName(), seed, worst);
            }
        }
    }

    private static double maxAbs(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs((double) a[i] - b[i]));
        return d;
    }
}
