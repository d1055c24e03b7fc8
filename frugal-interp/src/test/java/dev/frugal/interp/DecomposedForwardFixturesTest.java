package dev.frugal.interp;

import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On every decoder fixture (shared and committed variants, found by listing the roots), the decomposed forward with
 * nothing removed is the model's plain forward, from the embeddings and from a cached block; a post-LN OPT, whose
 * residual stream is not a sum of senders, is refused with a message that names it.
 */
class DecomposedForwardFixturesTest {
    @BeforeAll
    static void oneThread() { dev.frugal.tensor.Threads.configure(1); }

    static List<Path> fixtures() { return DecoderFixtures.all(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void nothingRemovedIsThePlainForward(Path dir) {
        try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            if (m.config() instanceof OptConfig o && !o.doLayerNormBefore()) {
                var e = assertThrows(dev.frugal.UserInputException.class, () -> new PatchedForward(m, Precision.FP32));
                assertTrue(e.getMessage().contains("do_layer_norm_before"), e.getMessage());
                return;
            }
            long t = Math.min(8, m.config().maxPositions());
            Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("fixture-ids", 1), 2, t);
            try (PatchedForward f = new PatchedForward(m, Precision.FP32); ActivationCache c = f.cache(ids)) {
                Tensor plain = m.logits(ids);
                double fromEmbed = Tensors.maxAbsDiff(f.logits(ids, List.of(Set.of()), 0, c, null), plain);
                double cached = Tensors.maxAbsDiff(c.logits(), plain);
                int last = m.config().numLayers() - 1;
                double fromBlock = Tensors.maxAbsDiff(f.logits(ids, List.of(Set.of(), Set.of()), last, c, null)
                        .narrow(0, 2, 2), plain);
                System.out.printf("%s (%s): decomposed vs plain %.2e, cache %.2e, from block %d %.2e%n", dir.getFileName(),
                        m.config().modelType(), fromEmbed, cached, last, fromBlock);
                assertTrue(fromEmbed <= 1e-5 && cached <= 1e-5 && fromBlock <= 1e-5, dir + ": decomposed forward differs"
                        + " from the plain one by " + Math.max(fromEmbed, Math.max(cached, fromBlock)));
            }
        }
    }

    /** Pre-LN fixtures only: the ones {@link PatchedForward} decomposes. */
    static List<Path> preLnFixtures() {
        return DecoderFixtures.all().stream().filter(d -> {
            var c = dev.frugal.model.HfConfig.read(d);
            return !(c.modelType().equals("opt") && !c.optBool("do_layer_norm_before", true));
        }).toList();
    }

    /**
     * On every architecture (GPT-2, OPT, Llama with grouped-query attention and RoPE, Qwen3 with q/k-norm), in float32
     * and int8, the receiver-local forward (only the investigated component on K·B rows) equals the full one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("preLnFixtures")
    void receiverLocalEqualsFullOnEveryArchitecture(Path dir) {
        for (Precision prec : List.of(Precision.FP32, Precision.INT8)) {
            try (GradMode off = GradMode.off(); Scope s = Scope.open(); CausalLM m = Models.loadCausalLM(dir, Device.CPU);
                 PatchedForward f = new PatchedForward(m, prec)) {
                long t = Math.min(6, m.config().maxPositions());
                Tensor ids = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("local-ids", 1), 2, t);
                Tensor bad = Tensors.randint(0, m.config().vocabSize(), Rng.seeded("local-bad", 2), 2, t);
                try (ActivationCache clean = f.cache(ids); ActivationCache corrupted = f.cache(bad)) {
                    PatchedForwardTest.assertReceiverLocalEqualsFull(f, ids, clean, corrupted, 5, 1e-4);
                }
            }
        }
    }

    /** On every architecture, ACDC with the exact accelerations keeps the same edges as one-edge-per-forward ACDC. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("preLnFixtures")
    void exactAccelerationsKeepTheReferenceCircuit(Path dir) {
        try (CausalLM m = Models.loadCausalLM(dir, Device.CPU)) {
            int half = Math.min(4, m.config().maxPositions() / 2);
            CircuitTask task = new CircuitTask.Induction(m.config().vocabSize(), half);
            try (TaskBatch b = task.batch(Rng.seeded("acdc-fixture", 1), 4);
                 AcdcRun run = new AcdcRun(m, b, AcdcRun.MetricKind.KL, Precision.FP32, AcdcSettings.Ablation.CORRUPTED)) {
                double tau = 1e-3;
                Circuit ref = run.run(AcdcSettings.reference(tau), null);
                Circuit fast = run.run(AcdcSettings.fastExact(tau), null);
                System.out.printf("%s: %d of %d edges kept; %d forwards, accelerated %d%n", dir.getFileName(),
                        ref.edges().size(), run.graph().edges().size(), ref.forwards(), fast.forwards());
                org.junit.jupiter.api.Assertions.assertEquals(ref.edges(), fast.edges(), dir + ": the accelerated sweep"
                        + " kept other edges than the reference");
                assertTrue(fast.forwards() < ref.forwards(), "no forward saved");
            }
        }
    }
}
