package dev.frugal.zo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.model.HfConfig;
import dev.frugal.model.Models;
import dev.frugal.model.StagedModel;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * ZO2's guarantees: with fp32 storage the streamed engine reproduces MeZO bit for bit, and with the same storage
 * dtype every offload tier and every K gives exactly the in-memory run's losses, projected gradients and final
 * parameters, for every architecture in the fixture root. The same tier × K × storage guarantee holds for the parallel
 * z stream ({@link ZoRng#PARALLEL}), whose fused pass also equals its reference path (libtorch ops) bit for bit.
 */
class Zo2EquivalenceTest {
    static final int STEPS = 3;

    @TempDir
    Path tmp;

    static Path root() { return dev.frugal.model.Fixtures.dir("opt").getParent(); }

    @Test
    void streamedEngineEqualsMezoReferenceBitForBit() {
        Path dir = root().resolve("opt");
        Run ref = run(dir, null, null);
        Run zo2 = run(dir, OffloadConfig.host(2, DType.F32), null);
        ref.assertSame(zo2, "MeZO reference vs ZO2 host fp32 K=2");
    }

    @TestFactory
    Stream<DynamicContainer> everyTierAndKIsBitIdenticalToInMemory() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root())) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
        }
        return dirs.stream().map(d -> DynamicContainer.dynamicContainer(d.getFileName().toString(),
                Stream.of(ZoRng.values()).flatMap(rng -> Stream.of(DType.F32, DType.BF16).map(dt ->
                        DynamicTest.dynamicTest("rng " + rng + ", storage " + dt, () -> {
                    Run mem = run(d, OffloadConfig.inMemory(dt), null, rng);
                    for (int k = 1; k <= 3; k++) {
                        mem.assertSame(run(d, OffloadConfig.host(k, dt), null, rng), rng + " host K=" + k);
                        mem.assertSame(run(d, OffloadConfig.disk(k, dt, tmp.resolve("off-" + rng + k)), null, rng),
                                rng + " disk K=" + k);
                    }
                })))));
    }

    /**
     * The parallel stream's fused pass (update, draws and θ₊ in one Java pass per chunk) against its reference path
     * (z drawn into a buffer, then libtorch's update, scale and add): the same steps and parameters bit for bit, with
     * weight decay (the encoder) and without; and a run other than MeZO's.
     */
    @TestFactory
    Stream<DynamicTest> parallelFusedPassEqualsItsReferencePath() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root())) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted().toList();
        }
        return dirs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            for (OffloadConfig cfg : List.of(OffloadConfig.inMemory(), OffloadConfig.host(2, DType.BF16))) {
                Run fused = run(d, cfg, null, ZoRng.PARALLEL, true);
                fused.assertSame(run(d, cfg, null, ZoRng.PARALLEL, false), "fused vs reference, " + cfg.tier());
                // blocks prepared by the loader thread beside the forwards, or by all cores on the compute thread
                fused.assertSame(run(d, cfg, null, ZoRng.PARALLEL, true, false), "inline vs loader, " + cfg.tier());
                fused.assertSame(run(d, cfg, null, ZoRng.PARALLEL, true, true), "loader vs inline, " + cfg.tier());
                assertTrue(fused.steps().get(0).lossPlus() != run(d, cfg, null, ZoRng.MEZO, true).steps().get(0).lossPlus(),
                        "the parallel stream draws other z than MeZO's");
            }
        }));
    }

    /**
     * 16-bit compute (ZO2's GPU setting, here on the CPU): the model in bf16, working copies and arithmetic in bf16.
     * The in-memory engine (zero copy), the host tier with K = 1, 2 and the MeZO reference on the same bf16 model take
     * the same steps bit for bit.
     */
    @Test
    void sixteenBitComputeEqualsMezoOnTheSameModel() {
        Path dir = root().resolve("opt");
        Run ref = run(dir, null, DType.BF16);
        ref.assertSame(run(dir, OffloadConfig.inMemory(DType.BF16).on(Device.CPU, DType.BF16), DType.BF16), "in-memory bf16");
        for (int k = 1; k <= 2; k++)
            ref.assertSame(run(dir, OffloadConfig.host(k, DType.BF16).on(Device.CPU, DType.BF16), DType.BF16), "host K=" + k);
        for (float[] v : ref.params().values()) for (float x : v) assertTrue(Float.isFinite(x));
        Run fp32 = run(dir, null, null);
        assertTrue(ref.steps().get(0).lossPlus() != fp32.steps().get(0).lossPlus(), "the bf16 run must compute in bf16");
    }

    /** Losses, gradients and final parameters of a short run; {@code cfg == null} runs the MeZO reference. */
    record Run(List<ZoStep> steps, Map<String, float[]> params) {
        void assertSame(Run o, String what) {
            for (int i = 0; i < steps.size(); i++) {
                assertEquals(steps.get(i).lossPlus(), o.steps.get(i).lossPlus(), 0.0, what + ": loss+ of step " + i);
                assertEquals(steps.get(i).lossMinus(), o.steps.get(i).lossMinus(), 0.0, what + ": loss- of step " + i);
                assertEquals(steps.get(i).projectedGradient(), o.steps.get(i).projectedGradient(), 0.0, what + ": g " + i);
            }
            assertEquals(params.keySet(), o.params.keySet());
            for (String n : params.keySet())
                assertTrue(java.util.Arrays.equals(params.get(n), o.params.get(n)), what + ": parameter " + n + " differs");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Run run(Path dir, OffloadConfig cfg, DType modelDtype) { return run(dir, cfg, modelDtype, ZoRng.MEZO); }

    static Run run(Path dir, OffloadConfig cfg, DType modelDtype, ZoRng rng) { return run(dir, cfg, modelDtype, rng, true); }

    static Run run(Path dir, OffloadConfig cfg, DType modelDtype, ZoRng rng, boolean fused) {
        return run(dir, cfg, modelDtype, rng, fused, null);
    }

    /** {@code inline}: the parallel stream's blocks prepared on the compute thread or the loader's (null: as chosen). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    /** One label per row of the fixture's batch, cycling over the encoder's classes (whatever the batch and labels). */
    static Tensor labels(long rows, StagedModel m) {
        int classes = ((dev.frugal.model.EncoderModel) m).numLabels();
        long[] y = new long[(int) rows];
        for (int i = 0; i < y.length; i++) y[i] = i % classes;
        return Tensors.fromLongs(y, rows);
    }

    static Run run(Path dir, OffloadConfig cfg, DType modelDtype, ZoRng rng, boolean fused, Boolean inline) {
        boolean encoder = HfConfig.read(dir).modelType().equals("bert");
        try (StagedModel m = encoder ? Models.loadEncoder(dir, Device.CPU) : Models.loadCausalLM(dir, Device.CPU);
             SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
             Scope s = Scope.open()) {
            if (modelDtype != null) for (var g : m.stages()) for (String n : g.names()) g.put(n, g.get(n).to(modelDtype));
            Tensor ids = ref.tensor("input_ids");
            Object batch = encoder ? new ClassBatch(ids, null, Zo2EquivalenceTest.labels(ids.size(0), m))
                    : LmBatch.of(ids, null);
            ZoObjective obj = encoder ? new SequenceClassificationObjective() : new CausalLmObjective();
            ZoHyperparameters hp = new ZoHyperparameters(1e-3, 1e-2, encoder ? 0.1 : 0.0, 42, rng);
            List<ZoStep> steps = new ArrayList<>();
            Map<String, float[]> params = new LinkedHashMap<>();
            if (cfg == null) {
                MezoReference ref0 = new MezoReference(m, obj, hp);
                for (int t = 0; t < STEPS; t++) steps.add(ref0.step(t, hp.stepSeed(t), batch));
                for (String n : m.parameterNames()) params.put(n, m.parameter(n).toFloatArray());
            } else {
                java.util.Set<String> blockNames = new java.util.HashSet<>(); // before the engine empties offloaded groups
                m.blockParams().forEach(g -> blockNames.addAll(g.names()));
                try (Zo2Engine e = new Zo2Engine(m, obj, hp, cfg)) {
                    e.fusedParallelPass(fused);
                    if (inline != null) e.inlineParallelDraws(inline);
                    for (int t = 0; t < STEPS; t++) steps.add(e.step(t, batch));
                    e.flush();
                    for (String n : m.parameterNames()) {
                        if (!blockNames.contains(n)) params.put(n, m.parameter(n).toFloatArray());
                    }
                    Map<String, float[]> out = params;
                    ((Zo2Engine<Object>) e).forEachBlock((i, w) -> w.forEach((n, t) -> out.put(n, t.toFloatArray())));
                }
                Map<String, float[]> ordered = new LinkedHashMap<>();
                for (String n : m.parameterNames()) ordered.put(n, params.get(n));
                params = ordered;
            }
            return new Run(steps, params);
        }
    }
}
