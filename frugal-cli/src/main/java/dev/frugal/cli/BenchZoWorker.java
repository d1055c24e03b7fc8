package dev.frugal.cli;

import static dev.frugal.Stats.median;

import dev.frugal.tensor.PeakRss;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.model.opt.OptModel;
import dev.frugal.model.opt.OptRandomInit;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NativeMemory;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.tensor.Threads;
import dev.frugal.zo.CausalLmObjective;
import dev.frugal.zo.DiskStreamEngine;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.Zo2Engine;
import dev.frugal.zo.ZoHyperparameters;
import dev.frugal.zo.ZoRng;
import dev.frugal.zo.ZoStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One mode of {@code frugal bench zo} in this (fresh) JVM: builds the seeded random-weight model the way the mode
 * needs it (offloaded modes stream the blocks straight into their tier, so the fp32 model is never resident), runs
 * warm-up and timed ZO steps, and prints one JSON object as its last stdout line: the step times, their median, the
 * peak resident memory of the process ({@code VmHWM}), and for the in-memory modes also {@code fwd2_s}, the median time
 * of the two plain forwards one step needs, each pair timed right before a step.
 *
 * <p>Usage: {@code BenchZoWorker MODE SIZE STEPS WARMUP THREADS DIR [MALLOC]}, MALLOC {@code engine} (default: the
 * policy the engine sets for the mode, {@code NativeMemory.reuseFreedMemory()} in memory and
 * {@code returnFreedMemory()} offloaded), {@code reuse} or {@code return} (every mode alike).
 */
public final class BenchZoWorker {
    static final long MODEL_SEED = 20250301;
    /** Timed repetitions of the two plain forwards in the GPU worker ({@link BenchZoDeviceWorker}), after its warm-up. */
    static final int FWD2_REPS = 3;
    static final ZoHyperparameters HP = new ZoHyperparameters(1e-3, 1e-6, 0.0, 42);

    private BenchZoWorker() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 6 && args.length != 7)
            throw new IllegalArgumentException("usage: BenchZoWorker MODE SIZE STEPS WARMUP THREADS DIR [MALLOC]");
        BenchZoMode mode = BenchZoMode.parse(args[0]);
        BenchZoShape shape = BenchZoShape.named(args[1]);
        int steps = Integer.parseInt(args[2]), warmup = Integer.parseInt(args[3]), threads = Integer.parseInt(args[4]);
        Path dir = Path.of(args[5]);
        var jvm = PeakRss.breakdownMb(); // the JVM alone, before libtorch loads
        Threads.configure(threads);
        // the disk-streamed engine reuses freed memory, as in-memory engines do: its own buffers are fixed, what it frees is
        // activations (docs/zo2.md)
        boolean applied = malloc(args.length == 7 ? args[6] : "engine", mode.inMemory() || mode == BenchZoMode.DISK_BF16_OPT67B);
        try (Scope s = Scope.open()) {
            Tensors.zeros(1).add(Tensors.ones(1)); // libtorch's CPU kernels loaded and run once
        }
        var libtorch = PeakRss.breakdownMb();
        ObjectNode out = run(mode, shape, steps, warmup, dir);
        // where the resident set comes from: the JVM, libtorch loaded, after the engine's set-up, at the end
        ObjectNode rss = out.putObject("rss_breakdown_mb");
        rss.set("jvm", json(jvm));
        rss.set("libtorch", json(libtorch));
        rss.set("end", json(PeakRss.breakdownMb()));
        out.put("threads", threads);
        out.put("malloc", NativeMemory.policy().name().toLowerCase(java.util.Locale.ROOT));
        out.put("malloc_applied", applied);
        out.put("openblas_threads", Threads.openBlas().orElse(-1));
        // the whole process's peak (a mode that reset VmHWM after its set-up reported the set-up's peak)
        out.put("peak_rss_mb", Math.max(peakRssMb(), out.path("setup_peak_rss_mb").asDouble(-1)));
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    /**
     * Sets glibc's policy for freed memory before anything is allocated: {@code reuse}, {@code return}, or
     * {@code engine}, the engine's own choice for the mode (reuse in memory, return when offloading).
     */
    static boolean malloc(String policy, boolean inMemory) {
        return switch (policy) {
            case "reuse" -> NativeMemory.reuseFreedMemory();
            case "return" -> NativeMemory.returnFreedMemory();
            case "engine" -> inMemory ? NativeMemory.reuseFreedMemory() : NativeMemory.returnFreedMemory();
            default -> throw new IllegalArgumentException("malloc policy '" + policy + "': use engine, reuse or return");
        };
    }

    static ObjectNode run(BenchZoMode mode, BenchZoShape shape, int steps, int warmup, Path dir) throws IOException {
        if (mode == BenchZoMode.DISK_BF16_OPT67B) return runDiskStreamed(mode, BenchZoShape.OPT_6_7B_SHORT, steps, warmup, dir);
        OptConfig cfg = shape.config(mode.depthFactor());
        OffloadConfig off = switch (mode) {
            case INMEM, INMEM_PARALLEL -> OffloadConfig.inMemory();
            case HOST_BF16, HOST_BF16_PARALLEL -> OffloadConfig.host(2, DType.BF16);
            case DISK_BF16, DISK_BF16_X2, DISK_BF16_PARALLEL -> OffloadConfig.disk(2, DType.BF16, Files.createDirectories(dir));
            case MEZO_TORCH -> throw new IllegalArgumentException("mezo_torch runs in Python, not in a frugal worker");
            case DISK_BF16_OPT67B -> throw new IllegalStateException("handled above");
        };
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("mode", mode.key());
        out.put("size", shape.name());
        out.put("layers", cfg.numLayers());
        out.put("params", shape.parameterCount(mode.depthFactor()));
        ZoHyperparameters hp = mode.parallelRng() ? HP.withRng(ZoRng.PARALLEL) : HP;
        out.put("rng", hp.rng().name().toLowerCase(java.util.Locale.ROOT));
        CausalLmObjective obj = new CausalLmObjective();
        long t0 = System.nanoTime();
        boolean eager = mode.inMemory();
        try (OptModel m = eager ? OptRandomInit.model(cfg, MODEL_SEED, Device.CPU)
                : OptRandomInit.withoutBlocks(cfg, MODEL_SEED, Device.CPU);
             Zo2Engine<LmBatch> e = eager ? new Zo2Engine<>(m, obj, hp, off)
                     : Zo2Engine.streaming(m, OptRandomInit.blocks(cfg, MODEL_SEED), obj, hp, off);
             Scope s = Scope.open()) {
            out.put("setup_s", (System.nanoTime() - t0) / 1e9);
            if (mode.parallelRng()) {
                out.put("rng_threads", e.drawThreads());
                out.put("rng_inline", e.preparesInline());
            }
            out.set("rss_after_setup_mb", json(PeakRss.breakdownMb()));
            out.put("stored_mb", e.storedBytes() / 1048576.0);
            Tensor ids;
            try (Rng data = Rng.seeded("bench-data", 7)) {
                ids = Tensors.randint(0, cfg.vocabSize(), data, shape.batch(), shape.tokens()); // (B, T)
            }
            LmBatch batch = LmBatch.of(ids, null); // (B, T), labels = ids
            // in-memory modes also time the two plain forwards a step needs, interleaved with the steps (a pair of
            // forwards right before each step), so that a machine whose speed drifts during the process moves both
            List<Double> f = new ArrayList<>(), fc = new ArrayList<>();
            List<Double> times = new ArrayList<>(), cpu = new ArrayList<>();
            ZoStep last = null;
            for (int t = 0; t < warmup + steps; t++) {
                if (mode.inMemory()) {
                    long a = System.nanoTime(), c = PeakRss.processCpuNanos();
                    plainLoss(m, obj, batch);
                    plainLoss(m, obj, batch);
                    if (t >= warmup) {
                        f.add((System.nanoTime() - a) / 1e9);
                        fc.add((PeakRss.processCpuNanos() - c) / 1e9);
                    }
                }
                long a = System.nanoTime(), c = PeakRss.processCpuNanos();
                last = e.step(t, batch);
                if (t >= warmup) {
                    times.add((System.nanoTime() - a) / 1e9);
                    cpu.add((PeakRss.processCpuNanos() - c) / 1e9);
                }
            }
            if (mode.inMemory()) {
                out.put("fwd2_s", median(f));
                out.put("fwd2_cpu_s", median(fc));
                out.set("fwd2_all_s", array(out, f));
            }
            e.flush();
            out.put("step_s", median(times));
            out.set("steps_s", array(out, times));
            out.put("step_cpu_s", median(cpu));
            out.put("last_loss_plus", last.lossPlus());
        }
        return out;
    }

    /**
     * {@link BenchZoMode#DISK_BF16_OPT67B}: the model's embedding and positions drawn in memory and written to disk,
     * then each block drawn and written one at a time ({@link DiskStreamEngine}); steps as the other modes, each with
     * where its time went. The bound of a step is the largest of its compute (matrix products, attention, norms), disk
     * read and perturbation (the fused passes) times, all measured in that step.
     */
    static ObjectNode runDiskStreamed(BenchZoMode mode, BenchZoShape shape, int steps, int warmup, Path dir) throws IOException {
        OptConfig cfg = shape.config(1);
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("mode", mode.key());
        out.put("size", shape.name());
        out.put("layers", cfg.numLayers());
        out.put("params", shape.parameterCount(1));
        out.put("batch", shape.batch());
        out.put("tokens", shape.tokens());
        ZoHyperparameters hp = HP.withRng(ZoRng.PARALLEL);
        out.put("rng", "parallel");
        long t0 = System.nanoTime();
        try (OptModel m = OptRandomInit.withoutBlocks(cfg, MODEL_SEED, Device.CPU);
             DiskStreamEngine e = new DiskStreamEngine(m, OptRandomInit.blocks(cfg, MODEL_SEED), hp, DType.BF16,
                     Files.createDirectories(dir));
             Scope s = Scope.open()) {
            out.put("setup_s", (System.nanoTime() - t0) / 1e9);
            out.put("setup_peak_rss_mb", peakRssMb());
            // from here VmHWM is the steps' own peak (Linux: clear_refs 5 resets it); main() reports the larger
            boolean reset = resetPeakRss();
            out.set("rss_after_setup_mb", json(PeakRss.breakdownMb()));
            out.put("stored_mb", e.storedBytes() / 1048576.0);
            out.put("chunk_elements", e.chunkElements());
            Tensor ids;
            try (Rng data = Rng.seeded("bench-data", 7)) {
                ids = Tensors.randint(0, cfg.vocabSize(), data, shape.batch(), shape.tokens());
            }
            LmBatch batch = LmBatch.of(ids, null);
            List<Double> times = new ArrayList<>(), cpu = new ArrayList<>(), bounds = new ArrayList<>();
            var phases = out.putArray("phases");
            ZoStep last = null;
            for (int t = 0; t < warmup + steps; t++) {
                long c = PeakRss.processCpuNanos();
                last = e.step(t, batch);
                DiskStreamEngine.Phases p = e.lastPhases();
                ObjectNode ph = phases.addObject();
                ph.put("warmup", t < warmup);
                ph.put("step_s", p.step());
                ph.put("read_s", p.read());
                ph.put("write_s", p.write());
                ph.put("perturb_s", p.perturb());
                ph.put("compute_s", p.compute());
                ph.put("io_wait_s", p.ioWait());
                ph.put("other_s", p.other());
                ph.put("read_gb_per_s", p.bytesRead() / p.read() / 1e9);
                if (t >= warmup) {
                    times.add(p.step());
                    bounds.add(p.bound());
                    cpu.add((PeakRss.processCpuNanos() - c) / 1e9);
                }
                System.err.printf(java.util.Locale.ROOT, "step %d: %.1f s (perturb %.1f, compute %.1f, waiting for the"
                        + " disk %.1f, other %.1f; disk thread: read %.1f, write %.1f), loss+ %.4f%n", t, p.step(),
                        p.perturb(), p.compute(), p.ioWait(), p.other(), p.read(), p.write(), last.lossPlus());
            }
            long f = System.nanoTime();
            e.flush();
            out.put("flush_s", (System.nanoTime() - f) / 1e9);
            out.put("step_s", median(times));
            out.set("steps_s", array(out, times));
            out.put("bound_s", median(bounds));
            out.put("step_vs_bound", median(times) / median(bounds));
            out.put("step_cpu_s", median(cpu));
            out.put("last_loss_plus", last.lossPlus());
            if (reset) out.put("steps_peak_rss_mb", peakRssMb());
        }
        return out;
    }

    /** Resets this process's {@code VmHWM} to its current resident set; false where Linux's clear_refs is unavailable. */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static ObjectNode json(java.util.Map<String, Double> m) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        m.forEach((k, v) -> o.put(k, Math.round(v * 10) / 10.0));
        return o;
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode array(ObjectNode o, List<Double> xs) {
        var a = o.arrayNode();
        xs.forEach(a::add);
        return a;
    }

    /**
     * One plain forward and loss at the current parameters, structured as the engine's pass (a scope per block, so
     * each block's temporaries are freed before the next block runs).
     */
    static double plainLoss(OptModel m, CausalLmObjective obj, LmBatch b) {
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            ForwardContext ctx = obj.context(m, b);
            Tensor h = obj.embed(m, b, ctx).keep(); // (B, T, C)
            for (int i = 0; i < m.blockParams().size(); i++) {
                try (Scope bs = Scope.open()) {
                    Tensor next = m.block(i, h, ctx).keep();
                    h.close();
                    h = next;
                }
            }
            double loss = obj.loss(m, h, b, ctx).itemDouble();
            h.close();
            return loss;
        }
    }

    /** Peak resident set of this process in MiB ({@code VmHWM} of /proc/self/status), or −1 where unavailable. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
