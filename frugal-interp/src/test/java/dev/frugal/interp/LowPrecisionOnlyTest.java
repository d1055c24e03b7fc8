package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.CausalLM;
import dev.frugal.model.CheckpointMismatchException;
import dev.frugal.model.Models;
import dev.frugal.model.ParamGroup;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PAHQ's storage ({@link PatchedForward#keepLowPrecisionOnly}): on every pre-LN decoder fixture whose matrices are
 * rounded to bfloat16 first (so that bfloat16 storage loses nothing), a bf16 forward that keeps only low-precision
 * matrices equals the float32 forward for every kind of investigated receiver (output: the LM head read back from the
 * checkpoint, held only while the output is investigated, its product taken in chunks and also streamed into the
 * metric; MLP and q/k/v: the investigated block read back, the others dequantized); the model's matrices are really
 * gone meanwhile, and come back bit for bit on close.
 */
class LowPrecisionOnlyTest {
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    static List<Path> fixtures() { return DecomposedForwardFixturesTest.preLnFixtures(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void lowPrecisionOnlyStorageEqualsFloat32WhenNothingIsLost(Path dir, @TempDir Path tmp) {
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = bf16Copy(dir, tmp)) {
            long t = Math.min(6, m.config().maxPositions());
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("low-ids", 1), 2, t);
            Tensor bad = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("low-bad", 2), 2, t);
            Map<String, Tensor> before = new LinkedHashMap<>();
            for (ParamGroup g : m.stages()) g.asMap().forEach((n, p) -> before.put(n, p.cloneTensor()));
            try (PatchedForward fp = new PatchedForward(m, Precision.FP32); ActivationCache clean = fp.cache(ids);
                 ActivationCache corrupted = fp.cache(bad)) {
                CircuitGraph g = fp.graph();
                int last = m.config().numLayers() - 1;
                int heads = m.config().numHeads();
                List<Node> investigated = List.of(Node.output(), Node.mlp(last), Node.input(Node.Kind.Q, 0, 0),
                        Node.input(Node.Kind.V, last, heads - 1));
                Random rnd = new Random(3);
                List<List<Set<Edge>>> configs = new ArrayList<>();
                List<Tensor> want = new ArrayList<>();
                for (Node r : investigated) {
                    Set<Edge> settled = new HashSet<>();
                    for (Edge e : g.edges()) if (rnd.nextDouble() < 0.3 && !e.receiver().equals(r)) settled.add(e);
                    Set<Edge> trial = new HashSet<>(settled);
                    trial.add(g.incoming(r).get(rnd.nextInt(g.incoming(r).size())));
                    configs.add(List.of(settled, trial));
                    want.add(fp.logits(ids, configs.getLast(), 0, null, r, null, clean, corrupted).keep());
                }
                try (PatchedForward low = new PatchedForward(m, Precision.BF16)) {
                    low.keepLowPrecisionOnly(tmp, ids, clean);
                    for (ParamGroup pg : m.stages())
                        pg.asMap().forEach((n, p) -> assertTrue(before.get(n).dim() != 2 || p.numel() == 1,
                                n + " is still held in float32 (" + p.numel() + " elements)"));
                    low.headChunkElements = 7 * m.config().hiddenSize(); // the LM head's products in chunks of 7 rows
                    for (int i = 0; i < investigated.size(); i++) {
                        Tensor got = low.logits(ids, configs.get(i), 0, null, investigated.get(i), null, clean, corrupted);
                        // the LM head's float32 copy lives exactly while the output is investigated
                        boolean output = investigated.get(i).kind() == Node.Kind.OUTPUT;
                        assertEquals(output, low.residentFullMatrix() != null, dir + " investigating "
                                + investigated.get(i) + ": resident float32 matrix " + low.residentFullMatrix());
                        double diff = Tensors.maxAbsDiff(got, want.get(i));
                        double scale = want.get(i).abs().max().itemDouble();
                        System.out.printf("%s, investigating %s: low-only vs float32 %.2e (max |logit| %.2e)%n",
                                dir.getFileName(), investigated.get(i), diff, scale);
                        assertTrue(diff <= 1e-5 * (1 + scale), dir + " investigating " + investigated.get(i)
                                + ": low-precision-only storage differs from float32 by " + diff);
                        // the metric path: with the output investigated, the LM head streams into the metric
                        for (Metric metric : List.of(Metric.KlToClean.of(clean.logits(), new long[] {1, t - 1}),
                                Metric.TaskLoss.of(bad.narrow(1, 0, 2), new long[] {0, t - 1}))) {
                            try (metric) {
                                double[] w = metric.evaluate(want.get(i), 2);
                                double[] v = low.metric(ids, configs.get(i), 0, null, investigated.get(i), metric, clean,
                                        corrupted);
                                for (int c = 0; c < 2; c++)
                                    assertEquals(w[c], v[c], 1e-5 * (1 + Math.abs(w[c])), dir + " investigating "
                                            + investigated.get(i) + ", " + metric.name() + " of configuration " + c);
                            }
                        }
                    }
                }
                for (ParamGroup pg : m.stages())
                    pg.asMap().forEach((n, p) -> assertEquals(0.0, Tensors.maxAbsDiff(p, before.get(n)),
                            n + " did not come back as it was"));
                Tensor again = fp.logits(ids, configs.getFirst(), 0, null, null, null, clean, corrupted);
                assertEquals(0.0, Tensors.maxAbsDiff(again, want.getFirst()), "the float32 forward changed after close");
            }
        }
    }

    /**
     * PAHQ's set-up order ({@link AcdcRun}): the blocks go to low precision first, and the caches, made afterwards,
     * read each block's float32 matrices back from the checkpoint while it runs. They equal the caches of the float32
     * model bit for bit (every sender, residual stream and the logits), while no block holds its float32 matrices
     * between forwards; after {@code keepLowPrecisionOnly} no more caches can be made.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void cachesMadeAfterTheBlocksWentToLowPrecisionEqualTheFloat32Ones(Path dir) {
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            long t = Math.min(6, m.config().maxPositions());
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("low-ids", 4), 2, t);
            try (PatchedForward fp = new PatchedForward(m, Precision.FP32); ActivationCache want = fp.cache(ids);
                 PatchedForward low = new PatchedForward(m, Precision.INT8)) {
                low.lowPrecisionBlocks(dir, ids);
                for (ParamGroup pg : m.blockParams())
                    pg.asMap().forEach((n, p) -> assertTrue(p.dim() != 2 || p.numel() == 1, n + " is still held in float32"));
                try (ActivationCache got = low.cache(ids)) {
                    assertEquals(0.0, Tensors.maxAbsDiff(got.logits(), want.logits()), dir + ": logits");
                    for (int l = 0; l < m.config().numLayers(); l++)
                        assertEquals(0.0, Tensors.maxAbsDiff(got.residPre(l), want.residPre(l)), dir + ": stream at " + l);
                    for (Node sender : fp.graph().senders())
                        assertEquals(0.0, Tensors.maxAbsDiff(got.sender(sender), want.sender(sender)), dir + ": " + sender);
                    low.keepLowPrecisionOnly(dir, ids, got);
                    for (ParamGroup pg : m.stages())
                        pg.asMap().forEach((n, p) -> assertTrue(p.dim() != 2 || p.numel() == 1, n + " is still held"
                                + " in float32 after keepLowPrecisionOnly"));
                    assertThrows(IllegalStateException.class, () -> low.cache(ids));
                }
            }
        }
    }

    /** {@code dir}'s model with every matrix rounded to bfloat16, saved to and loaded from {@code tmp}. */
    private static CausalLM bf16Copy(Path dir, Path tmp) {
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            for (ParamGroup g : m.stages())
                for (String n : g.names()) if (g.get(n).dim() == 2) g.put(n, g.get(n).to(DType.BF16).to(DType.F32));
            Models.save(m, tmp);
        }
        return Models.loadCausalLM(tmp, Device.CPU);
    }

    @Test
    void aModelChangedAfterLoadingIsRefusedAndKeepsItsWeights() {
        Path dir = fixtures().getFirst();
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            String changed = null;
            for (ParamGroup g : m.stages())
                for (String n : g.names())
                    if (changed == null && g.get(n).dim() == 2) {
                        g.put(n, g.get(n).add(1.0));
                        changed = n;
                    }
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("low-ids", 2), 1, 4);
            try (PatchedForward f = new PatchedForward(m, Precision.INT8); ActivationCache clean = f.cache(ids)) {
                var e = assertThrows(CheckpointMismatchException.class, () -> f.keepLowPrecisionOnly(dir, ids, clean));
                assertTrue(e.getMessage().contains("differs") && e.getMessage().contains(changed)
                        && e.getMessage().contains("save the model"), e.getMessage());
                assertTrue(!f.lowPrecisionOnly());
                for (ParamGroup g : m.stages())
                    for (String n : g.names()) assertTrue(g.get(n).numel() > 1 || g.get(n).dim() != 2, n + " was dropped");
            }
        }
    }

    @Test
    void aDirectoryWithoutCheckpointIsRefused(@TempDir Path empty) {
        Path dir = fixtures().getFirst();
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("low-ids", 2), 1, 4);
            try (PatchedForward f = new PatchedForward(m, Precision.INT8); ActivationCache clean = f.cache(ids)) {
                var e = assertThrows(dev.frugal.UserInputException.class, () -> f.keepLowPrecisionOnly(empty, ids, clean));
                assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
            }
        }
    }

    /**
     * A store closed after dropping only some blocks (a forward that failed part way through making the copies) gives
     * exactly those blocks' matrices back, bit for bit, and leaves the others' tensors as they were.
     */
    @Test
    void closingAfterSomeBlocksDroppedGivesThemBack() {
        Path dir = fixtures().getFirst();
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            Map<String, Tensor> before = new LinkedHashMap<>();
            Map<String, Tensor> handles = new LinkedHashMap<>();
            for (ParamGroup g : m.stages())
                g.asMap().forEach((n, p) -> {
                    before.put(n, p.cloneTensor());
                    handles.put(n, p);
                });
            ParamGroup first = m.blockParams().getFirst();
            try (LowPrecisionStore store = new LowPrecisionStore(m, Precision.INT8, dir)) {
                store.drop(0);
                first.asMap().forEach((n, p) -> assertTrue(before.get(n).dim() != 2 || p.numel() == 1, n + " kept"));
            }
            for (ParamGroup g : m.stages())
                g.asMap().forEach((n, p) -> {
                    assertEquals(0.0, Tensors.maxAbsDiff(p, before.get(n)), n + " did not come back as it was");
                    if (!first.names().contains(n)) assertTrue(p == handles.get(n), n + " was replaced though never dropped");
                });
        }
    }

    /**
     * The copies' forward starts by releasing every block (placeholders, nothing dropped yet) and reads each back while
     * it runs: a run closed midway, with block 0 read back and then dropped and the others only released, gives every
     * matrix back bit for bit.
     */
    @Test
    void closingAfterTheBlocksWereReleasedGivesThemAllBack() {
        Path dir = fixtures().getFirst();
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            Map<String, Tensor> before = new LinkedHashMap<>();
            for (ParamGroup g : m.stages()) g.asMap().forEach((n, p) -> before.put(n, p.cloneTensor()));
            try (LowPrecisionStore store = new LowPrecisionStore(m, Precision.INT8, dir)) {
                store.releaseBlocks();
                for (ParamGroup g : m.blockParams())
                    g.asMap().forEach((n, p) -> assertTrue(before.get(n).dim() != 2 || p.numel() == 1, n + " kept"));
                store.enter(0, true);
                m.blockParams().getFirst().asMap().forEach((n, p) -> assertEquals(0.0,
                        Tensors.maxAbsDiff(p, before.get(n)), n + " read back"));
                store.drop(0);
                if (m.blockParams().size() > 1) store.enter(1, true); // read back, not dropped: left as it is
            }
            for (ParamGroup g : m.stages())
                g.asMap().forEach((n, p) -> assertEquals(0.0, Tensors.maxAbsDiff(p, before.get(n)),
                        n + " did not come back as it was"));
        }
    }

    /**
     * A GPT-2 checkpoint that stores its names without the {@code transformer.} prefix (as some exports do): PAHQ finds
     * every matrix in it through the model's own name mapping, drops them, and gives them back bit for bit.
     */
    @Test
    void aGpt2CheckpointWithoutThePrefixIsFound(@TempDir Path tmp) throws Exception {
        Path dir = DecoderFixtures.all().stream()
                .filter(d -> dev.frugal.model.HfConfig.read(d).modelType().equals("gpt2")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no GPT-2 fixture under the fixture roots"));
        java.nio.file.Files.copy(dir.resolve("config.json"), tmp.resolve("config.json"));
        try (Scope s = Scope.open(); dev.frugal.io.Checkpoint ckpt = dev.frugal.io.Checkpoint.open(dir)) {
            Map<String, Tensor> bare = new LinkedHashMap<>();
            for (String n : ckpt.names()) bare.put(n.startsWith("transformer.") ? n.substring(12) : n, ckpt.tensor(n));
            dev.frugal.io.SafetensorsWriter.write(tmp.resolve(dev.frugal.io.Checkpoint.SINGLE), bare, Map.of());
        }
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(tmp, Device.CPU)) {
            Map<String, Tensor> before = new LinkedHashMap<>();
            for (ParamGroup g : m.stages()) g.asMap().forEach((n, p) -> before.put(n, p.cloneTensor()));
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("low-ids", 3), 1, 4);
            try (PatchedForward f = new PatchedForward(m, Precision.INT8); ActivationCache clean = f.cache(ids)) {
                f.keepLowPrecisionOnly(tmp, ids, clean);
                assertTrue(f.lowPrecisionOnly());
                for (ParamGroup g : m.stages())
                    g.asMap().forEach((n, p) -> assertTrue(before.get(n).dim() != 2 || p.numel() == 1, n + " kept"));
            }
            for (ParamGroup g : m.stages())
                g.asMap().forEach((n, p) -> assertEquals(0.0, Tensors.maxAbsDiff(p, before.get(n)), n + " came back changed"));
        }
    }

    /** The metric made a configuration at a time equals the metric of all configurations' logits at once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theMetricChunkedByConfigurationsEqualsTheWhole(Path dir) {
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU);
             PatchedForward f = new PatchedForward(m, Precision.FP32)) {
            long t = Math.min(6, m.config().maxPositions());
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("chunk-ids", 1), 2, t);
            Tensor bad = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("chunk-bad", 2), 2, t);
            try (ActivationCache clean = f.cache(ids); ActivationCache corrupted = f.cache(bad);
                 Metric kl = Metric.KlToClean.of(clean.logits(), new long[] {1, t - 1})) {
                CircuitGraph g = f.graph();
                Node r = Node.output();
                Set<Edge> cur = new HashSet<>();
                List<Set<Edge>> configs = new ArrayList<>();
                for (Edge e : g.incoming(r)) {
                    cur.add(e);
                    configs.add(Set.copyOf(cur));
                    if (configs.size() == 5) break;
                }
                assertTrue(configs.size() > 1, "the output needs several edges for several chunks");
                double[] whole = kl.evaluate(f.logits(ids, configs, 0, null, r, null, clean, corrupted), configs.size());
                f.metricChunkElements = 1; // one configuration per chunk
                double[] chunked = f.metric(ids, configs, 0, null, r, kl, clean, corrupted);
                for (int i = 0; i < whole.length; i++)
                    assertEquals(whole[i], chunked[i], 1e-6 * (1 + Math.abs(whole[i])), dir + " configuration " + i);
            }
        }
    }
}
