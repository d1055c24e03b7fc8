package dev.frugal.cli;

import static dev.frugal.Stats.median;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.BlockSource;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.model.opt.OptModel;
import dev.frugal.model.opt.OptRandomInit;
import dev.frugal.tensor.Cuda;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.MezoReference;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.OptionalLong;

/**
 * One mode of {@code frugal bench zo --device D} in this (fresh) JVM: ZO2's own setting, 16-bit (bf16) compute on a
 * device, an OPT-style model with random weights drawn on the device. Modes:
 * <ul>
 *   <li>{@code mezo}: MeZO as its trainer does it ({@link MezoReference}), the whole model on the device;</li>
 *   <li>{@code inmem}: frugal's in-memory engine (zero copy, the same arithmetic, z·ε once), the whole model on the
 *       device; also times {@code fwd2}, the two plain forwards of a step (the in-device compute);</li>
 *   <li>{@code zo2}: ZO2, blocks in pinned host memory (bf16), K = 2 on the device, uploads and write-backs on side
 *       streams; also measures the pinned host→device bandwidth (1 GiB copy).</li>
 * </ul>
 * Prints one JSON object: step times, tokens/s, the caching allocator's peak allocated bytes during the steps (CUDA),
 * peak RSS, and the bytes a ZO2 step moves. Usage: {@code BenchZoDeviceWorker MODE SIZE STEPS WARMUP DEVICE}.
 */
public final class BenchZoDeviceWorker {
    static final DType DTYPE = DType.BF16;

    private BenchZoDeviceWorker() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5)
            throw new IllegalArgumentException("usage: BenchZoDeviceWorker mezo|inmem|zo2 SIZE STEPS WARMUP DEVICE");
        Device device = Device.parse(args[4]);
        ObjectNode out = run(args[0], BenchZoShape.named(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                device);
        out.put("peak_rss_mb", BenchZoWorker.peakRssMb());
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    static ObjectNode run(String mode, BenchZoShape shape, int steps, int warmup, Device device) {
        if (!List.of("mezo", "inmem", "zo2").contains(mode))
            throw new IllegalArgumentException("unknown device bench mode '" + mode + "': use mezo, inmem or zo2");
        OptConfig cfg = shape.config(1);
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("mode", mode);
        out.put("size", shape.name());
        out.put("device", device.toString());
        out.put("dtype", "bf16");
        out.put("params", shape.parameterCount(1));
        out.put("tokens", (long) shape.batch() * shape.tokens());
        CausalLmObjective obj = new CausalLmObjective();
        long t0 = System.nanoTime();
        try (OptModel m = OptRandomInit.withoutBlocks(cfg, BenchZoWorker.MODEL_SEED, device);
             BlockSource blocks = OptRandomInit.blocks(cfg, BenchZoWorker.MODEL_SEED, device, DTYPE);
             Scope s = Scope.open()) {
            for (ParamGroup g : m.stages()) for (String n : g.names()) g.put(n, g.get(n).to(DTYPE));
            Tensor ids;
            try (Rng data = Rng.seeded("bench-data", 7)) {
                ids = Tensors.randint(0, cfg.vocabSize(), data, shape.batch(), shape.tokens()).to(device); // (B, T)
            }
            LmBatch batch = LmBatch.of(ids, null);
            List<Double> times = new ArrayList<>();
            ZoStep last = null;
            if (mode.equals("mezo")) {
                for (int i = 0; i < blocks.numBlocks(); i++) {
                    LinkedHashMap<String, Tensor> b = blocks.take(i);
                    for (var e : b.entrySet()) {
                        m.blockParams().get(i).put(e.getKey(), e.getValue());
                        e.getValue().close();
                    }
                }
                MezoReference<LmBatch> ref = new MezoReference<>(m, obj, BenchZoWorker.HP);
                out.put("setup_s", (System.nanoTime() - t0) / 1e9);
                resetPeak(device);
                for (int t = 0; t < warmup + steps; t++) {
                    long a = System.nanoTime();
                    last = ref.step(t, BenchZoWorker.HP.stepSeed(t), batch); // the losses' item() waits for the device
                    if (t >= warmup) times.add((System.nanoTime() - a) / 1e9);
                }
            } else {
                OffloadConfig off = (mode.equals("zo2") ? OffloadConfig.host(2, DTYPE) : OffloadConfig.inMemory(DTYPE))
                        .on(device, DTYPE);
                try (Zo2Engine<LmBatch> e = Zo2Engine.streaming(m, blocks, obj, BenchZoWorker.HP, off)) {
                    out.put("setup_s", (System.nanoTime() - t0) / 1e9);
                    out.put("stored_mb", e.storedBytes() / 1048576.0);
                    if (mode.equals("zo2")) {
                        out.put("bytes_moved_per_step", 2 * e.storedBytes()); // every block up and back
                        if (device.isCuda()) out.put("pinned_h2d_gbps", pinnedBandwidth(device));
                    }
                    if (mode.equals("inmem")) {
                        List<Double> f = new ArrayList<>();
                        for (int i = 0; i < warmup + Math.min(steps, BenchZoWorker.FWD2_REPS); i++) {
                            long a = System.nanoTime();
                            BenchZoWorker.plainLoss(m, obj, batch);
                            BenchZoWorker.plainLoss(m, obj, batch);
                            if (i >= warmup) f.add((System.nanoTime() - a) / 1e9);
                        }
                        out.put("fwd2_s", median(f));
                    }
                    resetPeak(device);
                    for (int t = 0; t < warmup + steps; t++) {
                        long a = System.nanoTime();
                        last = e.step(t, batch);
                        if (t >= warmup) times.add((System.nanoTime() - a) / 1e9);
                    }
                    e.flush();
                }
            }
            double step = median(times);
            out.put("step_s", step);
            out.set("steps_s", out.arrayNode().addAll(times.stream().map(out::numberNode).toList()));
            out.put("tokens_per_s", (double) shape.batch() * shape.tokens() / step);
            out.put("last_loss_plus", last.lossPlus());
            if (device.isCuda()) {
                OptionalLong peak = Cuda.peakAllocatedBytes(device);
                if (peak.isPresent()) out.put("peak_gpu_mb", peak.getAsLong() / 1048576.0);
                else out.putNull("peak_gpu_mb");
            }
        }
        return out;
    }

    private static void resetPeak(Device device) {
        if (device.isCuda()) {
            Cuda.syncDevice(device);
            Cuda.resetPeak(device);
        }
    }

    /** Best of three 1 GiB pinned host → device copies, GB/s (10⁹ bytes per second). */
    static double pinnedBandwidth(Device device) {
        long n = 512L << 20; // bf16 elements: 1 GiB
        double best = 0;
        try (Scope s = Scope.open()) {
            Tensor h = Tensors.emptyPinned(DType.BF16, n), d = Tensors.empty(DType.BF16, device, n);
            for (int r = 0; r < 3; r++) {
                Cuda.syncDevice(device);
                long a = System.nanoTime();
                d.copyFrom(h, true);
                Cuda.syncDevice(device);
                best = Math.max(best, (2.0 * n) / ((System.nanoTime() - a) / 1e9) / 1e9);
            }
        }
        return best;
    }
}
