package dev.frugal.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.dp.vision.SmallCnn;
import dev.frugal.model.LayerOps;
import dev.frugal.tensor.GradHook;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DP guarantees enforced in code, the noise scale, Poisson sampling, and the CNN's clipping. */
class GuaranteesTest {

    private static TinyNet net(long seed) { return new TinyNet(Rng.seeded("t", seed), 11, 6, 8, 3); }

    private static ClippedGradients clipped(TinyNet n, DpEngine e, int b) {
        Rng r = Rng.seeded("data", 3);
        try (DpStep step = e.begin(b)) {
            return step.backward(n.loss(n.params, Tensors.randint(0, 11, r, b, 4), Tensors.randint(0, 3, r, b), step));
        }
    }

    @Test
    void refusesToStepWithoutAccountant() {
        try (Scope s = Scope.open()) {
            TinyNet n = net(1);
            var ex = assertThrows(PrivacyGuaranteeException.class, () -> new DpSgd(n.params,
                    new DpSgd.Settings(0.1, 0, 1.0), 0.01, 10, null, Rng.seeded("noise", 1)));
            assertTrue(ex.getMessage().contains("accountant"), ex.getMessage());
        }
    }

    @Test
    void refusesZeroNoise() {
        assertThrows(PrivacyGuaranteeException.class, () -> new DpSgd.Settings(0.1, 0, 0));
    }

    @Test
    void refusesToReuseClippedGradients() {
        try (Scope s = Scope.open()) {
            TinyNet n = net(2);
            DpEngine e = new DpEngine(n.params, ClippingConfig.perLayer(1.0));
            DpSgd opt = new DpSgd(n.params, new DpSgd.Settings(0.1, 0, 1.0), 0.01, 10, new RdpAccountant(), Rng.seeded("z", 1));
            ClippedGradients g = clipped(n, e, 3);
            opt.step(g);
            assertThrows(PrivacyGuaranteeException.class, () -> opt.step(g));
            assertEquals(1, opt.accountant().stepCount());
        }
    }

    @Test
    void refusesSecondBackwardOfOneStep() {
        try (Scope s = Scope.open()) {
            TinyNet n = net(3);
            DpEngine e = new DpEngine(n.params, ClippingConfig.perLayer(1.0));
            Rng r = Rng.seeded("d", 1);
            try (DpStep step = e.begin(2)) {
                Tensor loss = n.loss(n.params, Tensors.randint(0, 11, r, 2, 3), Tensors.randint(0, 3, r, 2), step);
                step.backward(loss).close();
                assertThrows(PrivacyGuaranteeException.class, () -> step.backward(loss));
            }
        }
    }

    /** A parameter used outside LayerOps is refused, by name, before any gradient is computed. */
    @Test
    void refusesUnclippableLayersWithTheirNames() {
        try (Scope s = Scope.open()) {
            TinyNet n = net(4);
            LinkedHashMap<String, Tensor> params = new LinkedHashMap<>(n.params);
            Tensor scale = Tensors.ones(6).keep();
            params.put("custom.scale", scale);
            DpEngine e = new DpEngine(params, ClippingConfig.perLayer(1.0));
            Rng r = Rng.seeded("d", 1);
            try (DpStep step = e.begin(2)) {
                Tensor ids = Tensors.randint(0, 11, r, 2, 3);
                Tensor h = step.embedding("emb", n.params.get("emb.weight"), ids).mul(scale); // scale: not a LayerOps call
                Tensor loss = h.sum(new long[] {1, 2}, false);
                var ex = assertThrows(UnclippableLayersException.class, () -> step.backward(loss));
                assertTrue(ex.parameters().contains("custom.scale"));
                assertTrue(ex.parameters().containsAll(List.of("fc.weight", "cls.bias")), ex.getMessage());
                assertFalse(ex.parameters().contains("emb.weight"));
            }
        }
    }

    /** The weights are detached: libtorch computes no ordinary weight gradient even for tensors that require grad. */
    @Test
    void noOrdinaryWeightGradient() {
        try (Scope s = Scope.open()) {
            TinyNet n = net(5);
            n.params.values().forEach(t -> t.requiresGrad(true));
            DpEngine e = new DpEngine(n.params, ClippingConfig.perLayer(1.0));
            clipped(n, e, 3).close();
            for (var p : n.params.entrySet()) assertFalse(p.getValue().grad().defined(), p.getKey() + " got a .grad");
            assertEquals(0, GradHook.liveCount(), "hooks released after the step");
        }
    }

    /** Noise std on every coordinate is σ·C/(qN): an empty batch's update is pure noise. */
    @Test
    void noiseScaleIsSigmaTimesSensitivityOverExpectedBatch() {
        try (Scope s = Scope.open()) {
            LinkedHashMap<String, Tensor> p = new LinkedHashMap<>();
            p.put("w", Tensors.zeros(200, 100).keep());
            p.put("b", Tensors.zeros(100).keep());
            DpEngine e = new DpEngine(p, ClippingConfig.perLayer(2.0));
            double sigma = 1.3, lr = 0.5, expected = 40;
            DpSgd opt = new DpSgd(p, new DpSgd.Settings(lr, 0, sigma), 0.02, expected, new RdpAccountant(), Rng.seeded("z", 9));
            opt.step(e.emptyBatch());
            double std = Math.sqrt(p.get("w").square().mean().itemDouble());
            double want = lr * sigma * 2.0 / expected; // C = √(Σ C_l²) = 2
            assertEquals(want, std, 0.02 * want);
            assertEquals(1, opt.accountant().stepCount());
        }
    }

    @Test
    void poissonBatchesVaryAndCanBeEmpty() {
        BatchSampler sm = BatchSampler.poisson(50, 0.02, Rng.seeded("s", 1));
        int empty = 0;
        long total = 0;
        for (int i = 0; i < 400; i++) {
            long[] b = sm.next();
            if (b.length == 0) empty++;
            total += b.length;
        }
        assertTrue(empty > 50, "expected many empty batches at qN = 1, got " + empty);
        assertEquals(1.0, total / 400.0, 0.2);
        assertTrue(BatchSampler.shuffled(50, 5, Rng.seeded("s", 1)).warning().contains("Poisson"));
    }

    /** The CNN's convolutions (linear over unfolded patches) clip like a naive per-example loop. */
    @Test
    void cnnMatchesNaiveLoop() {
        try (Scope s = Scope.open()) {
            Rng r = Rng.seeded("cnn", 7);
            SmallCnn cnn = new SmallCnn(r);
            Tensor x = Tensors.randn(r, 3, 1, 28, 28), y = Tensors.randint(0, 10, r, 3);
            DpEngine e = new DpEngine(cnn.parameters(), ClippingConfig.perLayer(0.5));
            ClippedGradients g;
            try (DpStep step = e.begin(3)) {
                g = step.backward(NN.crossEntropyPerRow(cnn.logits(x, step), y, -100));
            }
            LinkedHashMap<String, Tensor> want = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++) {
                LinkedHashMap<String, Tensor> saved = new LinkedHashMap<>(cnn.parameters());
                LinkedHashMap<String, Tensor> leaf = new LinkedHashMap<>();
                saved.forEach((k, t) -> leaf.put(k, t.detach().cloneTensor().requiresGrad(true)));
                cnn.parameters().putAll(leaf);
                NN.crossEntropyPerRow(cnn.logits(x.narrow(0, i, 1), LayerOps.PLAIN), y.narrow(0, i, 1), -100).sum().backward();
                cnn.parameters().putAll(saved);
                leaf.forEach((k, t) -> want.merge(k, t.grad().mul(Math.min(1, e.bounds().get(k) / (t.grad().norm().itemDouble() + 1e-6))), Tensor::add));
            }
            for (String k : want.keySet()) {
                double err = g.sum(k).sub(want.get(k)).norm().itemDouble() / want.get(k).norm().itemDouble();
                assertTrue(err < 1e-4, k + " relative error " + err);
            }
        }
    }

    /**
     * The CNN's im2col convolutions (with libtorch's convolution carrying the input gradient) give the logits and the
     * parameter gradients of a plain {@code conv2d} reference.
     */
    @Test
    void cnnMatchesConv2dReference() {
        try (Scope s = Scope.open()) {
            Rng r = Rng.seeded("cnn-ref", 5);
            SmallCnn cnn = new SmallCnn(r);
            Tensor x = Tensors.randn(r, 4, 1, 28, 28), y = Tensors.randint(0, 10, r, 4);
            LinkedHashMap<String, Tensor> saved = new LinkedHashMap<>(cnn.parameters());
            LinkedHashMap<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            saved.forEach((k, t) -> {
                a.put(k, t.detach().cloneTensor().requiresGrad(true));
                b.put(k, t.detach().cloneTensor().requiresGrad(true));
            });
            cnn.parameters().putAll(a);
            Tensor got = cnn.logits(x, LayerOps.PLAIN);
            NN.crossEntropyPerRow(got, y, -100).sum().backward();
            cnn.parameters().putAll(saved);

            Tensor h = conv(x, b, "conv1", 1, 8, 2, 3).tanh();
            h = NN.maxPool2d(h, 2, 1);
            h = conv(h, b, "conv2", 16, 4, 2, 0).tanh();
            h = NN.maxPool2d(h, 2, 1).reshape(4, 512);
            h = NN.linear(h, b.get("fc1.weight"), b.get("fc1.bias")).tanh();
            Tensor want = NN.linear(h, b.get("fc2.weight"), b.get("fc2.bias"));
            NN.crossEntropyPerRow(want, y, -100).sum().backward();

            assertTrue(Tensors.maxAbsDiff(got, want) < 1e-5, "logits differ by " + Tensors.maxAbsDiff(got, want));
            for (String k : a.keySet()) {
                Tensor ga = a.get(k).grad(), gb = b.get(k).grad();
                double err = ga.sub(gb).norm().itemDouble() / gb.norm().itemDouble();
                assertTrue(err < 1e-5, k + " gradient relative error " + err);
            }
        }
    }

    private static Tensor conv(Tensor x, LinkedHashMap<String, Tensor> p, String n, long in, long k, long stride, long pad) {
        Tensor w = p.get(n + ".weight");
        return NN.conv2d(x, w.view(w.size(0), in, k, k), stride, pad).add(p.get(n + ".bias").view(1, w.size(0), 1, 1));
    }
}
