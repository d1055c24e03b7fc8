package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PatchedForwardTest {
    /** Tiny models: one thread (two OpenMP threads on a shared 2-core box ran training 30× slower). */
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    private static final TinyGpt2 GPT = TinyGpt2.gpt(20, 32, 2, 4, 10, 64);

    /** A seeded random model of {@code shape}, written as a Hugging Face directory and loaded as core's GPT-2. */
    static Gpt2Model model(TinyGpt2 shape, long seed) {
        Path dir = Path.of("target", "patched-forward-models", shape.attentionOnly() + "-" + seed);
        try (Scope s = Scope.open()) {
            return shape.write(dir, shape.init(Rng.seeded("t", seed)));
        }
    }

    @Test
    void unpatchedForwardMatchesThePlainModel() {
        for (TinyGpt2 c : List.of(GPT, TinyGpt2.attentionOnly(20, 32, 2, 4, 10))) {
            try (GradMode off = GradMode.off(); Scope s = Scope.open(); Gpt2Model m = model(c, 3);
                 PatchedForward f = new PatchedForward(m, Precision.FP32)) {
                Tensor ids = Tensors.randint(0, 20, Rng.seeded("ids", 1), 3, 10);
                try (ActivationCache cache = f.cache(ids)) {
                    double diff = Tensors.maxAbsDiff(cache.logits(), m.logits(ids));
                    assertTrue(diff < 1e-5, "decomposed forward differs from the plain one by " + diff);
                }
            }
        }
    }

    @Test
    void removingEveryEdgeGivesTheCorruptedRun() {
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); Gpt2Model m = model(GPT, 4);
             PatchedForward f = new PatchedForward(m, Precision.FP32)) {
            Tensor ids = Tensors.randint(0, 20, Rng.seeded("ids", 1), 3, 10);
            Tensor bad = Tensors.randint(0, 20, Rng.seeded("ids", 2), 3, 10);
            try (ActivationCache clean = f.cache(ids); ActivationCache corrupted = f.cache(bad)) {
                Set<Edge> all = new HashSet<>(f.graph().edges());
                Tensor out = f.logits(ids, List.of(Set.of(), all), 0, clean, corrupted); // (2B, T, V)
                assertTrue(Tensors.maxAbsDiff(out.narrow(0, 0, 3), clean.logits()) < 1e-5);
                assertTrue(Tensors.maxAbsDiff(out.narrow(0, 3, 3), corrupted.logits()) < 1e-4,
                        "all edges patched must reproduce the corrupted run");
            }
        }
    }

    @Test
    void graphHasAcdcEdgeCount() {
        CircuitGraph g = new CircuitGraph(2, 8, false);
        // senders before layer 1: embed + 8 heads; layer-1 receivers: 24 q/k/v; layer 0: 24 with embed only; output: 17
        assertEquals(9 * 24 + 24 + 17, g.edges().size());
        assertEquals(1 + 48, g.receivers().size());
    }

    @Test
    void int8ForwardStaysCloseToFp32() {
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); Gpt2Model m = model(GPT, 5);
             PatchedForward f = new PatchedForward(m, Precision.FP32); PatchedForward q = new PatchedForward(m, Precision.INT8)) {
            Tensor ids = Tensors.randint(0, 20, Rng.seeded("ids", 1), 3, 10);
            try (ActivationCache clean = f.cache(ids)) {
                Tensor a = f.logits(ids, List.of(Set.of()), 0, clean, null);
                Tensor b = q.logits(ids, List.of(Set.of()), 0, clean, null);
                double rel = a.sub(b).norm().itemDouble() / a.norm().itemDouble();
                assertTrue(rel < 0.1 && rel > 0, "int8 logits relative error " + rel);
            }
        }
    }

    /**
     * The receiver-local path (the investigated receiver's block computed once on B rows, only its component on K·B)
     * gives the logits of the full patched forward for every receiver, with removed edges shared by all
     * configurations in earlier-processed receivers and different ones into the receiver, at every precision.
     */
    @Test
    void receiverLocalForwardEqualsTheFullPatchedForward() {
        for (Precision prec : List.of(Precision.FP32, Precision.INT8)) {
            try (GradMode off = GradMode.off(); Scope s = Scope.open(); Gpt2Model m = model(GPT, 6);
                 PatchedForward f = new PatchedForward(m, prec)) {
                Tensor ids = Tensors.randint(0, 20, Rng.seeded("ids", 1), 3, 10);
                Tensor bad = Tensors.randint(0, 20, Rng.seeded("ids", 2), 3, 10);
                try (ActivationCache clean = f.cache(ids); ActivationCache corrupted = f.cache(bad)) {
                    assertReceiverLocalEqualsFull(f, ids, clean, corrupted, 11, 1e-4);
                    Set<Edge> stray = Set.of(f.graph().incoming(Node.output()).get(0));
                    Node q = Node.input(Node.Kind.Q, 1, 0);
                    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                            () -> f.logits(ids, List.of(Set.of(), stray), 1, q, clean, corrupted),
                            "an edge into another receiver that differs between configurations must be refused");
                }
            }
        }
    }

    /**
     * For every receiver in ACDC's order, with the edges decided so far (a seeded random half) in every configuration
     * and one or two edges into the receiver varying, the receiver-local forward equals the full patched forward.
     */
    static void assertReceiverLocalEqualsFull(PatchedForward f, Tensor ids, ActivationCache clean,
                                              ActivationCache corrupted, long seed, double tol) {
        java.util.Random rnd = new java.util.Random(seed);
        int layers = f.model().config().numLayers();
        Set<Edge> common = new HashSet<>();
        for (Node r : f.graph().receivers()) { // reverse topological order, as ACDC visits them
            List<Edge> in = f.graph().incoming(r);
            int start = Math.min(r.layer(), layers);
            Set<Edge> one = new HashSet<>(common), two = new HashSet<>(common);
            one.add(in.get(0));
            two.add(in.get(0));
            two.add(in.get(in.size() - 1));
            List<Set<Edge>> configs = List.of(Set.copyOf(common), one, two);
            Tensor full = f.logits(ids, configs, start, clean, corrupted);
            Tensor local = f.logits(ids, configs, start, r, clean, corrupted);
            double diff = Tensors.maxAbsDiff(full, local);
            assertTrue(diff < tol, f.precision() + " receiver " + r + ": receiver-local logits differ by " + diff);
            for (Edge e : in) if (rnd.nextBoolean()) common.add(e); // decided, as the sweep would
        }
    }
}
