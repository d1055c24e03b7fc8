package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.InvalidSettingException;
import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.BlockSource;
import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk-streamed engine (every parameter on disk, both perturbed forwards as one 2B-row batch, each parameter
 * materialised once per step in chunks) takes the same steps, bit for bit, as ZO2's engine on the disk tier with the
 * parallel z stream: losses, projected gradients and final parameters, for every OPT model in the fixture root, with
 * fp32 and bf16 storage, with the default chunk and with one so small that every matrix (the tied LM head included)
 * is multiplied in many chunks of rows.
 */
class DiskStreamEngineTest {
    @TempDir
    Path tmp;

    static List<Path> optDirs() {
        List<Path> dirs = decoderDirs().stream().filter(d -> HfConfig.read(d).modelType().equals("opt")).toList();
        assertFalse(dirs.isEmpty(), "the fixture roots hold no OPT model");
        return dirs;
    }

    /** Every decoder in the fixture roots (OPT, GPT-2, Llama, Qwen3 and their variants). */
    static List<Path> decoderDirs() {
        return dev.frugal.model.Fixtures.architectureDirs().stream()
                .filter(d -> dev.frugal.model.Models.DECODER_TYPES.contains(HfConfig.read(d).modelType())).toList();
    }

    @TestFactory
    Stream<DynamicTest> sameBitsAsZo2OnTheDiskTier() {
        // bf16 storage without weight decay and fp32 storage with it, on every decoder
        return decoderDirs().stream().flatMap(d -> Stream.of(DType.BF16, DType.F32).map(dt -> {
            double wd = dt == DType.BF16 ? 0.0 : 0.1;
            String tag = d.getFileName() + "-" + dt;
            return DynamicTest.dynamicTest(d.getFileName() + ", " + dt + ", weight decay " + wd, () -> {
                ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, wd, 42, ZoRng.PARALLEL);
                Zo2EquivalenceTest.Run zo2 = zo2(d, dt, hp, tmp.resolve("zo2-" + tag));
                zo2.assertSame(streamed(d, dt, hp, tmp.resolve("s-" + tag), DiskStreamEngine.DEFAULT_CHUNK),
                        "disk-streamed, default chunk");
                // eight-row chunks: every matrix (the tied LM head included) multiplied chunk by chunk of rows.
                // OpenBLAS rounds a product with fewer output columns differently (its small-matrix kernels), and a
                // Conv1D cut along its inputs sums partial products: the losses move by float32 ulps, and
                // g = Δloss/2ε by ulps/ε, which later steps amplify: one step
                Zo2EquivalenceTest.Run one = zo2(d, dt, hp, tmp.resolve("zo2one-" + tag), 1);
                assertClose(one, streamed(d, dt, hp, tmp.resolve("c-" + tag), 8 * widest(d), 1), dt, blockNames(d));
            });
        }));
    }

    /** The plain loss after two steps (the pending update flushed first) equals ZO2's, on every decoder. */
    @TestFactory
    Stream<DynamicTest> lossEqualsZo2s() {
        return decoderDirs().stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, 0.0, 42, ZoRng.PARALLEL);
            double[] losses = new double[2];
            for (int k = 0; k < 2; k++) {
                try (StagedModel m = Models.loadCausalLM(d, Device.CPU);
                     SafetensorsFile ref = SafetensorsFile.open(d.resolve("reference.safetensors"));
                     Scope s = Scope.open()) {
                    LmBatch batch = LmBatch.of(ref.tensor("input_ids"), null);
                    Path dir = tmp.resolve("loss-" + d.getFileName() + k);
                    if (k == 0) {
                        try (Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), hp,
                                OffloadConfig.disk(1, DType.BF16, dir))) {
                            e.step(0, batch);
                            e.step(1, batch);
                            losses[k] = e.loss(batch);
                        }
                    } else {
                        try (DiskStreamEngine e = new DiskStreamEngine(m, BlockSource.of(m.blockParams()), hp, DType.BF16, dir)) {
                            e.step(0, batch);
                            e.step(1, batch);
                            losses[k] = e.loss(batch);
                            assertFalse(e.hasPendingUpdate(), "loss() applies the pending update first");
                        }
                    }
                }
            }
            assertEquals(losses[0], losses[1], 0.0, "loss after two steps");
        }));
    }

    @Test
    void refusesWhatItCannotRun() throws IOException {
        Path d = optDirs().get(0);
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU)) {
            BlockSource src = BlockSource.of(m.blockParams());
            ZoHyperparameters mezo = new ZoHyperparameters(1e-3, 1e-2, 0.0, 42, ZoRng.MEZO);
            assertTrue(assertThrows(InvalidSettingException.class, () -> new DiskStreamEngine(m, src, mezo, DType.BF16,
                    tmp.resolve("x"))).getMessage().contains("parallel"));
            ZoHyperparameters par = mezo.withRng(ZoRng.PARALLEL);
            assertThrows(InvalidSettingException.class, () -> new DiskStreamEngine(m, src, par, DType.F16, tmp.resolve("x")));
            assertThrows(InvalidSettingException.class, () -> new DiskStreamEngine(m, src,
                    par.withTuned(TunedParameters.parse("head")), DType.BF16, tmp.resolve("x")));
        }
        Path bert = Zo2EquivalenceTest.root().resolve("bert");
        try (StagedModel m = Models.loadEncoder(bert, Device.CPU)) {
            assertThrows(InvalidSettingException.class, () -> new DiskStreamEngine(m, BlockSource.of(m.blockParams()),
                    new ZoHyperparameters(1e-3, 1e-2, 0.0, 42, ZoRng.PARALLEL), DType.BF16, tmp.resolve("y")));
        }
    }

    @Test
    void refusesADirectoryWithoutRoomBeforeWriting() {
        dev.frugal.UserInputException e = assertThrows(dev.frugal.UserInputException.class,
                () -> DiskStreamEngine.requireSpace(tmp.resolve("full"), 13_000_000_000L, 2_000_000_000L));
        assertTrue(e.getMessage().contains("full") && e.getMessage().contains("13000 MB")
                && e.getMessage().contains("2000 MB free"), e.getMessage());
        DiskStreamEngine.requireSpace(tmp, 1000, 2000); // room: no exception
        DiskStreamEngine.requireSpace(tmp, 1000, -1); // unknown: not refused
    }

    @Test
    void reportsWhereTheStepWent() throws IOException {
        Path d = optDirs().get(0);
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(d.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, 0.0, 42, ZoRng.PARALLEL);
            long params = m.parameterCount();
            try (DiskStreamEngine e = new DiskStreamEngine(m, BlockSource.of(m.blockParams()), hp, DType.BF16, tmp.resolve("p"))) {
                LmBatch batch = LmBatch.of(ref.tensor("input_ids"), null);
                e.step(0, batch);
                long[] first = e.readAhead();
                assertEquals(0, first[0], "nothing to read ahead by before a step has recorded the order");
                e.step(1, batch);
                long[] second = e.readAhead();
                long hits = second[0] - first[0], reads = second[1] - first[1];
                // all but the first read (and a read after an unforeseen one) are ready when asked for
                assertTrue(hits >= reads - 2, hits + " of " + reads + " reads done ahead");
                DiskStreamEngine.Phases p = e.lastPhases();
                assertTrue(p.read() > 0 && p.write() > 0 && p.perturb() > 0 && p.compute() > 0, p.toString());
                assertEquals(p.step(), p.perturb() + p.compute() + p.ioWait() + p.other(), 1e-9);
                // every stored byte read once per step, plus the batch's embedding rows
                assertTrue(p.bytesRead() >= e.storedBytes(), p.bytesRead() + " < " + e.storedBytes());
                long blockParams = params - residentCount(m, e);
                assertEquals(blockParams * 2 + (params - blockParams) * 4, e.storedBytes());
                LmBatch padded = LmBatch.of(batch.inputIds(), dev.frugal.tensor.Tensors.ones(DType.I64, Device.CPU,
                        batch.inputIds().shape()));
                assertThrows(IllegalArgumentException.class, () -> e.step(2, padded));
                // ids beyond the vocabulary are refused before anything is written: the update stays pending
                long vocab = m.config().vocabSize();
                e.step(2, batch);
                LmBatch outside = LmBatch.of(batch.inputIds().add(vocab), null);
                assertTrue(assertThrows(IllegalArgumentException.class, () -> e.step(3, outside)).getMessage()
                        .contains("outside the " + vocab + " rows"));
                assertTrue(e.hasPendingUpdate(), "the refused step left the pending update alone");
            }
        }
    }

    /**
     * The checkpoint's parameters, written a chunk at a time where a parameter is larger than a chunk (the chunk here
     * is one row, so every matrix goes in parts): each equals the engine's parameter bit for bit, and no parameter
     * needs to be whole in fp32 to be written.
     */
    @Test
    void parametersLargerThanAChunkAreWrittenInPartsBitForBit() throws IOException {
        Path d = optDirs().get(0);
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(d.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, 0.0, 42, ZoRng.PARALLEL);
            try (DiskStreamEngine e = new DiskStreamEngine(m, BlockSource.of(m.blockParams()), hp, DType.BF16,
                    tmp.resolve("parts"), 1)) {
                LmBatch batch = LmBatch.of(ref.tensor("input_ids"), null);
                e.step(0, batch);
                e.step(1, batch);
                e.flush();
                Path file = tmp.resolve("parts.safetensors");
                int[] parts = {0};
                dev.frugal.io.SafetensorsWriter.writeStreaming(file, e.checkpointLayout(m), Map.of(), sink ->
                        e.writeParameters(m, new dev.frugal.io.SafetensorsWriter.TensorSink() {
                            @Override
                            public void put(String n, Tensor t) { sink.put(n, t); }

                            @Override
                            public void putPart(String n, long from, Tensor part) {
                                parts[0]++;
                                sink.putPart(n, from, part);
                            }
                        }));
                assertTrue(parts[0] > e.parameterNames().size(), "only " + parts[0] + " parts: nothing was chunked");
                try (SafetensorsFile f = SafetensorsFile.open(file)) {
                    for (String n : e.parameterNames())
                        try (Scope ps = Scope.open()) {
                            assertArrayEquals(e.parameter(n).toFloatArray(), f.tensor(n, DType.F32).toFloatArray(), n);
                        }
                }
            }
        }
    }

    /** Resident (fp32-stored) parameter elements: everything outside the blocks. */
    private static long residentCount(StagedModel m, DiskStreamEngine e) {
        long n = 0;
        for (String name : e.parameterNames()) {
            if (name.contains(".layers.")) continue;
            try (Scope s = Scope.open()) {
                n += e.parameter(name).numel();
            }
        }
        return n;
    }

    /**
     * One step: losses within 1e-6 relative (a wrong z or row would move them by about g·ε, 1e-4 relative here), g
     * within what that allows, parameters within lr·Δg·|z| (|z| < 6) plus, with bf16 storage, one bf16 rounding step.
     */
    private static void assertClose(Zo2EquivalenceTest.Run a, Zo2EquivalenceTest.Run b, DType storage,
                                    java.util.Set<String> blocks) {
        ZoStep x = a.steps().get(0), y = b.steps().get(0);
        double tol = 1e-6 * Math.abs(x.lossPlus());
        assertEquals(x.lossPlus(), y.lossPlus(), tol, "chunked: loss+");
        assertEquals(x.lossMinus(), y.lossMinus(), tol, "chunked: loss-");
        double dg = 2 * tol / (2 * 1e-3);
        assertEquals(x.projectedGradient(), y.projectedGradient(), dg, "chunked: g");
        for (String n : a.params().keySet()) {
            float[] p = a.params().get(n), q = b.params().get(n);
            assertEquals(p.length, q.length, n);
            for (int j = 0; j < p.length; j++) {
                double allowed = 1e-2 * dg * 6 + (storage == DType.BF16 && blocks.contains(n) ? Math.abs(p[j]) / 128 : 0);
                assertEquals(p[j], q[j], allowed, "chunked: " + n + "[" + j + "]");
            }
        }
    }

    /** The names of the block parameters (stored in the storage dtype; the others in fp32). */
    static java.util.Set<String> blockNames(Path d) {
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU)) {
            java.util.Set<String> names = new java.util.HashSet<>();
            m.blockParams().forEach(g -> names.addAll(g.names()));
            return names;
        }
    }

    static long widest(Path d) {
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU)) {
            long w = 0;
            for (String n : m.parameterNames()) { long[] s = m.parameter(n).shape(); if (s.length == 2) w = Math.max(w, s[1]); }
            return w;
        }
    }

    private static Zo2EquivalenceTest.Run zo2(Path d, DType storage, ZoHyperparameters hp, Path dir) {
        return zo2(d, storage, hp, dir, Zo2EquivalenceTest.STEPS);
    }

    private static Zo2EquivalenceTest.Run zo2(Path d, DType storage, ZoHyperparameters hp, Path dir, int count) {
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(d.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            LmBatch batch = LmBatch.of(ref.tensor("input_ids"), null);
            java.util.Set<String> blockNames = new java.util.HashSet<>();
            m.blockParams().forEach(g -> blockNames.addAll(g.names()));
            List<ZoStep> steps = new ArrayList<>();
            Map<String, float[]> params = new LinkedHashMap<>();
            try (Zo2Engine<LmBatch> e = new Zo2Engine<>(m, new CausalLmObjective(), hp, OffloadConfig.disk(1, storage, dir))) {
                for (int t = 0; t < count; t++) steps.add(e.step(t, batch));
                e.flush();
                for (String n : m.parameterNames()) if (!blockNames.contains(n)) params.put(n, m.parameter(n).toFloatArray());
                e.forEachBlock((i, w) -> w.forEach((n, t) -> params.put(n, t.toFloatArray())));
            }
            Map<String, float[]> ordered = new LinkedHashMap<>();
            for (String n : m.parameterNames()) ordered.put(n, params.get(n));
            return new Zo2EquivalenceTest.Run(steps, ordered);
        }
    }

    private static Zo2EquivalenceTest.Run streamed(Path d, DType storage, ZoHyperparameters hp, Path dir, long chunk) {
        return streamed(d, storage, hp, dir, chunk, Zo2EquivalenceTest.STEPS);
    }

    private static Zo2EquivalenceTest.Run streamed(Path d, DType storage, ZoHyperparameters hp, Path dir, long chunk, int count) {
        try (StagedModel m = Models.loadCausalLM(d, Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(d.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            LmBatch batch = LmBatch.of(ref.tensor("input_ids"), null);
            List<ZoStep> steps = new ArrayList<>();
            Map<String, float[]> params = new LinkedHashMap<>();
            try (DiskStreamEngine e = new DiskStreamEngine(m, BlockSource.of(m.blockParams()), hp, storage, dir, chunk)) {
                for (int t = 0; t < count; t++) steps.add(e.step(t, batch));
                for (String n : e.parameterNames()) {
                    try (Scope ps = Scope.open()) {
                        Tensor p = e.parameter(n);
                        params.put(n, p.toFloatArray());
                    }
                }
                assertFalse(e.hasPendingUpdate());
            }
            return new Zo2EquivalenceTest.Run(steps, params);
        }
    }
}
