package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.model.opt.OptConfig;
import dev.frugal.model.opt.OptModel;
import dev.frugal.model.opt.OptRandomInit;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine whose blocks stream from a {@link dev.frugal.model.BlockSource} straight into the tier (the whole fp32
 * model never resident) takes exactly the steps of an engine built over the eagerly initialised model.
 */
class StreamedInitTest {
    static final OptConfig CFG = OptRandomInit.config(96, 32, 3, 4, 64, 32);
    static final ZoHyperparameters HP = new ZoHyperparameters(1e-3, 1e-2, 0.01, 5);
    static final long SEED = 1234;

    @TempDir
    Path tmp;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ZoRng.class)
    void streamedBlocksGiveTheEagerStepsBitForBit(ZoRng rng) {
        for (OffloadConfig off : List.of(OffloadConfig.inMemory(), OffloadConfig.host(2, DType.BF16),
                OffloadConfig.disk(1, DType.F32, tmp.resolve("d1-" + rng)))) {
            Run eager = run(off, false, rng);
            Run lazy = run(off, true, rng);
            String what = rng + " " + off.tier() + " K=" + off.residentBlocks() + " " + off.storageDtype();
            assertEquals(eager.steps(), lazy.steps(), what + ": steps");
            assertEquals(eager.params().keySet(), lazy.params().keySet());
            for (String n : eager.params().keySet())
                assertTrue(Arrays.equals(eager.params().get(n), lazy.params().get(n)), what + ": " + n + " differs");
        }
    }

    /**
     * Every decoder fixture (OPT, GPT-2, Llama, Qwen3 and their variants), loaded with its blocks left in the checkpoint
     * ({@link dev.frugal.model.Models#loadCausalLMStreaming}, what {@code zo train} does on an offloaded tier) and
     * streamed into the disk and host tiers: the same steps and final parameters as the eagerly loaded model, and the
     * model's block groups never hold a block.
     */
    @org.junit.jupiter.api.TestFactory
    java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> blocksStreamedFromACheckpointGiveTheEagerSteps() {
        return DiskStreamEngineTest.decoderDirs().stream().map(dir -> org.junit.jupiter.api.DynamicTest.dynamicTest(
                dir.getFileName().toString(), () -> {
                    for (OffloadConfig off : List.of(OffloadConfig.disk(2, DType.BF16, tmp.resolve("ck-" + dir.getFileName())),
                            OffloadConfig.host(1, DType.F32))) {
                        Run eager = fromCheckpoint(dir, off, false), streamed = fromCheckpoint(dir, off, true);
                        String what = dir + " " + off.tier();
                        assertEquals(eager.steps(), streamed.steps(), what + ": steps");
                        assertEquals(eager.params().keySet(), streamed.params().keySet(), what);
                        for (String n : eager.params().keySet())
                            assertTrue(Arrays.equals(eager.params().get(n), streamed.params().get(n)), what + ": " + n);
                    }
                }));
    }

    private static Run fromCheckpoint(Path dir, OffloadConfig off, boolean streamed) {
        dev.frugal.model.Models.Streamed st = streamed ? dev.frugal.model.Models.loadCausalLMStreaming(dir) : null;
        try (dev.frugal.model.CausalLM m = streamed ? st.model() : dev.frugal.model.Models.loadCausalLM(dir, Device.CPU);
             dev.frugal.model.BlockSource src = streamed ? st.blocks() : null;
             Zo2Engine<LmBatch> e = streamed ? Zo2Engine.streaming(m, src, new CausalLmObjective(), HP, off)
                     : new Zo2Engine<>(m, new CausalLmObjective(), HP, off);
             Scope s = Scope.open()) {
            if (streamed) for (var g : m.blockParams()) assertEquals(0, g.numel(), g.name() + " holds a block");
            List<ZoStep> steps = new ArrayList<>();
            for (int t = 0; t < 2; t++) steps.add(e.step(t, batch(t, m.config().vocabSize())));
            e.flush();
            Map<String, float[]> params = new LinkedHashMap<>();
            e.forEachBlock((i, w) -> w.forEach((n, t) -> params.put(n, t.toFloatArray())));
            java.util.Set<String> inBlocks = new java.util.HashSet<>(params.keySet());
            for (String n : m.parameterNames()) if (!inBlocks.contains(n)) params.put(n, m.parameter(n).toFloatArray());
            return new Run(steps, params);
        }
    }

    static LmBatch batch(int t, int vocab) {
        return LmBatch.of(Tensors.randint(0, vocab, Rng.seeded("data", t), 2, 10), null);
    }

    /**
     * {@link dev.frugal.model.BlockSource#forEachTensor}: a checkpoint's and a random initialiser's blocks a tensor at a
     * time (what the disk-streamed engine's set-up reads) are {@code take}'s tensors, in the same order, bit for bit.
     */
    @Test
    void aCheckpointsBlocksATensorAtATimeAreTheBlocks() {
        java.nio.file.Path dir = dev.frugal.model.Fixtures.dir("opt");
        try (dev.frugal.model.Models.Streamed a = dev.frugal.model.Models.loadCausalLMStreaming(dir);
             dev.frugal.model.Models.Streamed b = dev.frugal.model.Models.loadCausalLMStreaming(dir)) {
            assertForEachTensorIsTake(a.blocks(), b.blocks(), "checkpoint");
        }
        // and a random initialiser's: the same draws in the same order
        try (dev.frugal.model.BlockSource a = OptRandomInit.blocks(CFG, SEED);
             dev.frugal.model.BlockSource b = OptRandomInit.blocks(CFG, SEED)) {
            assertForEachTensorIsTake(a, b, "random");
        }
    }

    /** {@code b.forEachTensor} gives {@code a.take}'s tensors (two sources of the same blocks), block by block. */
    private static void assertForEachTensorIsTake(dev.frugal.model.BlockSource a, dev.frugal.model.BlockSource b,
                                                  String what) {
        for (int i = 0; i < a.numBlocks(); i++) {
            LinkedHashMap<String, dev.frugal.tensor.Tensor> whole = a.take(i);
            List<String> names = new ArrayList<>();
            b.forEachTensor(i, (n, t) -> {
                names.add(n);
                assertArrayEquals(whole.get(n).toFloatArray(), t.toFloatArray(), what + " " + n);
            });
            assertEquals(new ArrayList<>(whole.keySet()), names, what + " block " + i);
            whole.values().forEach(dev.frugal.tensor.Tensor::close);
        }
    }

    @Test
    void refusesAModelWhoseBlocksAreAlreadyThere() {
        try (OptModel m = OptRandomInit.model(CFG, SEED, Device.CPU)) {
            assertThrows(IllegalArgumentException.class, () -> Zo2Engine.streaming(m, OptRandomInit.blocks(CFG, SEED),
                    new CausalLmObjective(), HP, OffloadConfig.host(1, DType.BF16)));
        }
    }

    record Run(List<ZoStep> steps, Map<String, float[]> params) {}

    static Run run(OffloadConfig off, boolean streamed, ZoRng rng) {
        ZoHyperparameters HP = StreamedInitTest.HP.withRng(rng);
        try (OptModel m = streamed ? OptRandomInit.withoutBlocks(CFG, SEED, Device.CPU)
                : OptRandomInit.model(CFG, SEED, Device.CPU);
             Zo2Engine<LmBatch> e = streamed
                     ? Zo2Engine.streaming(m, OptRandomInit.blocks(CFG, SEED), new CausalLmObjective(), HP, off)
                     : new Zo2Engine<>(m, new CausalLmObjective(), HP, off);
             Scope s = Scope.open()) {
            List<ZoStep> steps = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                LmBatch b = LmBatch.of(Tensors.randint(0, CFG.vocabSize(), Rng.seeded("data", t), 2, 10), null);
                steps.add(e.step(t, b));
            }
            e.flush();
            Map<String, float[]> params = new LinkedHashMap<>();
            e.forEachBlock((i, w) -> w.forEach((n, t) -> params.put(n, t.toFloatArray())));
            for (String n : m.parameterNames())
                if (!n.contains(".layers.")) params.put(n, m.parameter(n).toFloatArray());
            return new Run(steps, params);
        }
    }
}
