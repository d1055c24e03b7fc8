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
 * {@link NaivePatching}'s, which patches one edge at a time with plain hooks. A failing case prints its seed.
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
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             PatchedForward f = new PatchedForward(m, Precision.FP32)) {
            long t = Math.min(6, m.config().maxPositions());
            int v = m.config().vocabSize();
            Tensor ids = Tensors.randint(0, v, Rng.seeded("subset-ids", seed), 2, t);
            Tensor bad = Tensors.randint(0, v, Rng.seeded("subset-bad", seed), 2, t);
            int start = rnd.nextInt(m.config().numLayers() + 1); // 0: from the embeddings
            double rate = 0.05 + 0.9 * rnd.nextDouble();
            List<Set<Edge>> configs = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                Set<Edge> sub = new HashSet<>();
                for (Edge e : f.graph().edges())
                    if (e.receiver().layer() >= start && rnd.nextDouble() < rate) sub.add(e);
                configs.add(sub);
            }
            try (ActivationCache clean = f.cache(ids); ActivationCache corrupted = f.cache(bad)) {
                Tensor got = f.logits(ids, configs, start, clean, corrupted); // (3B, T, V)
                for (int k = 0; k < configs.size(); k++) {
                    Tensor want = NaivePatching.logits(m, ids, bad, configs.get(k));
                    double diff = Tensors.maxAbsDiff(got.narrow(0, 2L * k, 2), want);
                    double scale = want.abs().max().itemDouble();
                    if (!configs.get(k).isEmpty()) assertTrue(Tensors.maxAbsDiff(want, clean.logits()) > 1e-6, "seed " + seed
                            + ": removing " + configs.get(k).size() + " edges changed nothing: the case tests nothing");
                    assertTrue(diff <= 1e-4 * Math.max(1, scale), "seed " + seed + " (" + dir.getFileName() + ", start "
                            + start + ", " + configs.get(k).size() + " of " + f.graph().edges().size()
                            + " edges removed): patched logits differ from the one-edge-at-a-time reference by " + diff);
                }
            }
        }
    }
}
