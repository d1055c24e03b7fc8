package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for random subsets of edges (each case a seed: a pre-LN decoder fixture, a removal rate, three subsets
 * run as one batched forward, from the embeddings or from a later block), {@link PatchedForward}'s logits equal
 * {@link NaivePatching}'s, which patches one edge at a time with plain hooks, in float64, to 1e-10 of their scale,
 * while each removal moves them by far more. A failing case prints its seed.
 */
class RandomEdgeSubsetTest {
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    static LongStream seeds() { return LongStream.range(0, 24); }

    private static List<Path> models() {
        List<Path> out = new ArrayList<>();
        for (Path d : DecoderFixtures.all()) {
            try (CausalLM m = Models.loadCausalLM(d, Device.CPU)) {
                if (!(m.config() instanceof OptConfig o && !o.doLayerNormBefore())) out.add(d);
            }
        }
        return out;
    }

    private static List<Path> models;

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSubsetsMatchTheOneEdgeAtATimeReference(long seed) {
        if (models == null) models = models();
        Random rnd = new Random(seed);
        Path dir = models.get((int) (seed % models.size()));
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = inDouble(Models.loadCausalLM(dir, Device.CPU));
             PatchedForward f = new PatchedForward(m, Precision.FP32)) {
            long t = Math.min(6, m.config().maxPositions());
            int v = m.config().vocabSize();
            Tensor ids = Tensors.randint(0, v, Rng.seeded("subset-ids", seed), 2, t);
            int start = rnd.nextInt(m.config().numLayers() + 1); // 0: from the embeddings
            // the corrupted input has its own seed (an Rng's name does not change its stream: with the same seed the
            // two inputs were equal, and every removal was a no-op)
            Tensor bad = Tensors.randint(0, v, Rng.seeded("subset-bad", ~seed), 2, t);
            try (ActivationCache clean = f.cache(ids); ActivationCache corrupted = f.cache(bad)) {
                List<Set<Edge>> configs = new ArrayList<>();
                List<Tensor> wants = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    double rate = 0.05 + 0.9 * rnd.nextDouble();
                    Set<Edge> sub = new HashSet<>();
                    for (Edge e : f.graph().edges())
                        if (e.receiver().layer() >= start && rnd.nextDouble() < rate) sub.add(e);
                    Tensor want = NaivePatching.logits(m, ids, bad, sub);
                    // a removal that moved nothing would test nothing: each must move the logits far beyond the
                    // tolerance (on the shared fixtures they move by 1 to 7); nothing removed must give the clean logits
                    double moved = Tensors.maxAbsDiff(want, clean.logits());
                    assertTrue(sub.isEmpty() ? moved <= tolerance(want) : moved > 1e4 * tolerance(want), "seed " + seed
                            + " (" + dir.getFileName() + "): removing " + sub.size() + " edges moved the reference logits by "
                            + moved);
                    configs.add(sub);
                    wants.add(want);
                }
                Tensor got = f.logits(ids, configs, start, clean, corrupted); // (3B, T, V)
                for (int k = 0; k < configs.size(); k++) {
                    Tensor want = wants.get(k);
                    double diff = Tensors.maxAbsDiff(got.narrow(0, 2L * k, 2), want);
                    assertTrue(diff <= tolerance(want), "seed " + seed + " (" + dir.getFileName() + ", start "
                            + start + ", " + configs.get(k).size() + " of " + f.graph().edges().size()
                            + " edges removed): patched logits differ from the one-edge-at-a-time reference by " + diff);
                }
            }
        }
    }

    /** {@code m} with every parameter converted to float64, in place. */
    static CausalLM inDouble(CausalLM m) {
        for (dev.frugal.model.ParamGroup g : m.stages())
            for (String n : new ArrayList<>(g.names())) g.put(n, g.get(n).to(dev.frugal.tensor.DType.F64));
        return m;
    }

    /**
     * What the patched and the reference logits may differ by: 1e-10 of their scale (at least 1e-10). Both run in
     * float64 ({@link #inDouble}), where the two orders of the same sums agree to about 1e-15.
     */
    private static double tolerance(Tensor want) { return 1e-10 * Math.max(1, want.abs().max().itemDouble()); }
}
