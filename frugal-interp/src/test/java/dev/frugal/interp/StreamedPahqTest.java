package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.model.ParamGroup;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PAHQ over a model loaded without its blocks ({@link AcdcRun#AcdcRun(Models.Streamed, TaskBatch,
 * AcdcRun.MetricKind, Precision, AcdcSettings.Ablation)}): on every pre-LN decoder fixture, in int8 and bf16, the sweep
 * gives the circuit of the same model loaded whole, every score to the bit; no block matrix is resident in float32
 * outside a block's own forward; the output is investigated before any low-precision copy exists; and closing leaves
 * the model as it was loaded.
 */
class StreamedPahqTest {
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    static List<Path> fixtures() { return DecomposedForwardFixturesTest.preLnFixtures(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void streamedSetUpFindsTheCircuitOfTheWholeModelToTheBit(Path dir) {
        // int8 and bf16 with the accelerations; zero ablation; the plain sweep (every block recomputed, one edge per
        // forward), whose first forward of the output already runs the blocks
        List<AcdcSettings> cases = List.of(settings(Precision.INT8), settings(Precision.BF16),
                settings(Precision.INT8).withAblation(AcdcSettings.Ablation.ZERO),
                new AcdcSettings(1e-3, AcdcSettings.Ablation.CORRUPTED, Precision.INT8, false, 1));
        for (AcdcSettings set : cases) {
            Precision p = set.precision();
            Circuit whole, streamed;
            double wholeMetric, streamedMetric;
            int half;
            try (CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
                half = Math.min(4, m.config().maxPositions() / 2);
                CircuitTask task = new CircuitTask.Induction(m.config().vocabSize(), half);
                try (TaskBatch b = task.batch(Rng.seeded("streamed-pahq", 1), 4);
                     AcdcRun run = new AcdcRun(m, b, AcdcRun.MetricKind.KL, p, set.ablation())) {
                    wholeMetric = run.metricOf(Set.copyOf(run.graph().incoming(Node.output()).subList(0, 1)));
                    whole = run.run(set, null);
                }
            }
            try (Models.Streamed s = Models.loadCausalLMStreaming(dir)) {
                CircuitTask task = new CircuitTask.Induction(s.model().config().vocabSize(), half);
                try (TaskBatch b = task.batch(Rng.seeded("streamed-pahq", 1), 4);
                     AcdcRun run = new AcdcRun(s, b, AcdcRun.MetricKind.KL, p, set.ablation())) {
                    assertNoBlockMatrixResident(s.model(), dir + " after the set-up");
                    streamedMetric = run.metricOf(Set.copyOf(run.graph().incoming(Node.output()).subList(0, 1)));
                    streamed = run.run(set, null);
                    assertNoBlockMatrixResident(s.model(), dir + " after the sweep");
                }
                for (ParamGroup g : s.model().blockParams())
                    assertTrue(g.names().isEmpty(), dir + ": closing left " + g.names() + " in " + g.name());
            }
            assertEquals(Double.doubleToLongBits(wholeMetric), Double.doubleToLongBits(streamedMetric),
                    dir + " " + set + ": metric with one output edge removed");
            System.out.printf("%s %s %s%s: %d of %d edges kept, streamed and whole alike%n", dir.getFileName(), p,
                    set.ablation(), set.reuseCache() ? "" : " plain", streamed.edges().size(), whole.scores().size());
            assertEquals(whole.scores().size(), streamed.scores().size(), dir + " " + set + ": edges scored");
            for (int i = 0; i < whole.scores().size(); i++) {
                Circuit.EdgeScore w = whole.scores().get(i), g = streamed.scores().get(i);
                assertEquals(w.edge(), g.edge(), dir + " " + set + ": order of the sweep");
                assertEquals(Double.doubleToLongBits(w.delta()), Double.doubleToLongBits(g.delta()),
                        dir + " " + set + ": score of " + w.edge() + " (" + w.delta() + " vs " + g.delta() + ")");
                assertEquals(w.kept(), g.kept(), dir + " " + set + ": " + w.edge());
            }
            assertEquals(Double.doubleToLongBits(whole.cleanMetric()), Double.doubleToLongBits(streamed.cleanMetric()),
                    dir + " " + set + ": clean metric");
            assertEquals(Double.doubleToLongBits(whole.circuitMetric()),
                    Double.doubleToLongBits(streamed.circuitMetric()), dir + " " + set + ": circuit metric");
            assertEquals(whole.forwards(), streamed.forwards(), dir + " " + set + ": forwards");
            assertTrue(whole.edges().size() < whole.scores().size(), dir + " " + set + ": no edge was removed,"
                    + " so the comparison shows nothing");
        }
    }

    /**
     * The order that keeps the peak down: the output, which runs no block, is investigated with the loaded LM head
     * before any low-precision copy exists; the first forward that runs a block makes them and drops the embedding
     * tables and the LM head; the result equals the whole model's forward.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void outputIsInvestigatedBeforeTheCopiesExist(Path dir) {
        try (GradMode off = GradMode.off(); Scope sc = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             Models.Streamed s = Models.loadCausalLMStreaming(dir)) {
            long t = Math.min(6, m.config().maxPositions());
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("streamed-ids", 1), 2, t);
            Tensor bad = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("streamed-bad", 2), 2, t);
            int layers = m.config().numLayers();
            try (PatchedForward whole = new PatchedForward(m, Precision.INT8);
                 PatchedForward streamed = PatchedForward.streamed(s, Precision.INT8)) {
                assertThrows(IllegalArgumentException.class, () -> PatchedForward.streamed(s, Precision.FP32));
                whole.lowPrecisionBlocks(dir, ids);
                try (ActivationCache wc = whole.cache(ids); ActivationCache wb = whole.cache(bad);
                     ActivationCache c = streamed.cache(ids); ActivationCache b = streamed.cache(bad)) {
                    assertEquals(0.0, Tensors.maxAbsDiff(c.logits(), wc.logits()), dir + ": clean logits");
                    assertEquals(0.0, Tensors.maxAbsDiff(b.logits(), wb.logits()), dir + ": corrupted logits");
                    whole.keepLowPrecisionOnly(dir, ids, wc);
                    CircuitGraph g = streamed.graph();
                    Node out = Node.output();
                    List<Edge> in = g.incoming(out);
                    List<Set<Edge>> configs = List.of(Set.of(), Set.of(in.getFirst()), Set.of(in.getFirst(), in.getLast()));
                    Tensor want = whole.logits(ids, configs, layers, out, out, null, wc, wb);
                    Tensor got = streamed.logits(ids, configs, layers, out, out, null, c, b);
                    assertTrue(streamed.copiesPending(), dir + ": investigating the output made the copies");
                    assertNoBlockMatrixResident(s.model(), dir.toString());
                    assertEquals(0.0, Tensors.maxAbsDiff(got, want), dir + ": the output investigated");
                    Node q = Node.input(Node.Kind.Q, layers - 1, 0);
                    List<Set<Edge>> qConfigs = List.of(Set.of(), Set.of(g.incoming(q).getFirst()));
                    Tensor wantQ = whole.logits(ids, qConfigs, layers - 1, q, q, null, wc, wb);
                    Tensor gotQ = streamed.logits(ids, qConfigs, layers - 1, q, q, null, c, b);
                    assertFalse(streamed.copiesPending(), dir + ": a forward that ran a block made no copies");
                    assertTrue(streamed.lowPrecisionOnly());
                    // the investigated head's block holds its attention matrices in float32, its MLP's only as copies
                    ParamGroup investigated = s.model().blockParams().get(layers - 1);
                    for (ParamGroup pg : s.model().stages())
                        pg.asMap().forEach((n, x) -> {
                            boolean full = pg == investigated && n.contains("attn");
                            assertTrue(x.dim() != 2 || (x.numel() == 1) != full, dir + ": " + n + (full
                                    ? " of the investigated head's block is not in float32" : " is held in float32"));
                        });
                    assertEquals(0.0, Tensors.maxAbsDiff(gotQ, wantQ), dir + ": " + q + " investigated");
                }
            }
        }
    }

    private static AcdcSettings settings(Precision p) {
        return new AcdcSettings(1e-3, AcdcSettings.Ablation.CORRUPTED, p, true, 4);
    }

    private static void assertNoBlockMatrixResident(CausalLM m, String where) {
        for (ParamGroup g : m.blockParams())
            g.asMap().forEach((n, x) -> assertTrue(x.dim() != 2 || x.numel() == 1, where + ": " + n
                    + " is resident in float32 (" + x.numel() + " elements)"));
    }
}
