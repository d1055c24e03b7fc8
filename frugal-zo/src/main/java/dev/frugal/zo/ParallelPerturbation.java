package dev.frugal.zo;

import dev.frugal.tensor.DType;
import dev.frugal.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The draws of {@link ZoRng#PARALLEL}: a parameter's elements are cut into chunks of {@link #CHUNK} floats, drawn
 * (and, for blocks, updated and perturbed in the same pass) by a pool of threads. Every element's result depends on
 * (step key, its offset in the flattened parameter vector) only, so the bits are the same whatever the thread count or
 * the chunking. The threads only read and write native memory (no libtorch calls): fp32, contiguous CPU tensors.
 */
final class ParallelPerturbation implements AutoCloseable {
    /** Floats per task: 64 Ki (256 KB, within a core's L2 for the fused pass's two streams). */
    static final int CHUNK = 1 << 16;

    private final int threads;
    private final ExecutorService pool;

    /** A pool of {@code threads} (≥ 1; with 1 the caller draws alone). */
    ParallelPerturbation(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "zo-rng");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() { return threads; }

    /** z of stream {@code key}, elements {@code offset ..}, into {@code dst} (fp32, contiguous, on the CPU). */
    void fill(Tensor dst, long key, long offset) {
        MemorySegment d = floats(dst);
        forChunks(dst.numel(), (from, n) -> CounterNormals.fill(d.asSlice(from * 4, n * 4), key, offset + from, n));
    }

    /**
     * One pass of the fused step over parameter {@code p} (elements {@code offset ..} of the flattened vector): when
     * {@code upd} is not null, MeZO's update of the previous step with its z regenerated from {@code prevKey},
     * {@code θ ← θ − (lr·g)·z' [− (lr·wd)·θ]} (MeZO Algorithm 1, line 12), then {@code zε = z·ε} with z of
     * {@code curKey} written to {@code zEps} and {@code θ ← θ + zε} (line 4 with s = 1). Per element the float
     * operations, and their rounding, are those of the libtorch ops of the reference path ({@link Resident#update},
     * then {@code z.mul_(ε)} and {@code θ.add_(zε)}): the same bits, one pass instead of five.
     */
    void updateAndPerturb(Tensor p, Tensor zEps, long offset, long prevKey, PendingUpdate upd, boolean decays,
                          ZoHyperparameters hp, long curKey) {
        if (zEps.numel() != p.numel()) throw new IllegalArgumentException("z·ε holds " + zEps.numel() + " elements, θ " + p.numel());
        MemorySegment th = floats(p), ze = floats(zEps);
        boolean update = upd != null;
        float lrg = update ? (float) (upd.lr() * upd.grad()) : 0f;
        boolean wd = update && decays && hp.weightDecay() > 0;
        float lrwd = wd ? (float) (upd.lr() * hp.weightDecay()) : 0f;
        float eps = (float) hp.eps();
        forChunks(p.numel(), (from, n) -> {
            long sPrev = prevKey + (offset + from + 1) * CounterNormals.GAMMA;
            long sCur = curKey + (offset + from + 1) * CounterNormals.GAMMA;
            for (long j = from, end = from + n; j < end; j++, sPrev += CounterNormals.GAMMA, sCur += CounterNormals.GAMMA) {
                float t = th.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j);
                if (update) {
                    float d = (float) CounterNormals.ziggurat(CounterNormals.mix64(sPrev)) * lrg;
                    if (wd) d = d + t * lrwd;
                    t = t - d;
                }
                float z = (float) CounterNormals.ziggurat(CounterNormals.mix64(sCur)) * eps;
                th.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, t + z);
                ze.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, z);
            }
        });
    }

    /**
     * A streamed parameter's whole step over its elements {@code offset .. offset+n−1} ({@link DiskStreamEngine}),
     * element j read from {@code src} at index j (fp32, or bf16 when {@code srcBf16}): when {@code upd} is not null the
     * update of the previous step as in {@link #updateAndPerturb}; then, when {@code perturb}, MeZO's three shifts with
     * zε = z·ε of {@code curKey}: θ₊ = θ + zε, θ₋ = θ₊ + (−2)·zε, θ = θ₋ + zε, with θ₊ and θ₋ written to {@code plus} and
     * {@code minus} (fp32; either may be null); without {@code perturb}, θ (updated) goes to {@code plus} when it is not
     * null. The final θ goes to {@code out} (null: not kept), in fp32 or in bf16
     * ({@code outBf16}, rounded to nearest even as libtorch's cast). Per element the float operations are those of
     * {@link Zo2Engine}'s pass over the parameter (update, {@code add_(zε)}, {@code add_(zε, −2)}, {@code add_(zε)},
     * the tier's cast): the same bits.
     */
    void streamed(MemorySegment src, boolean srcBf16, MemorySegment plus, MemorySegment minus, MemorySegment out,
                  boolean outBf16, long offset, long n, long prevKey, PendingUpdate upd, boolean decays,
                  ZoHyperparameters hp, long curKey, boolean perturb) {
        boolean update = upd != null;
        float lrg = update ? (float) (upd.lr() * upd.grad()) : 0f;
        boolean wd = update && decays && hp.weightDecay() > 0;
        float lrwd = wd ? (float) (upd.lr() * hp.weightDecay()) : 0f;
        float eps = (float) hp.eps();
        forChunks(n, (from, len) -> {
            long sPrev = prevKey + (offset + from + 1) * CounterNormals.GAMMA;
            long sCur = curKey + (offset + from + 1) * CounterNormals.GAMMA;
            for (long j = from, end = from + len; j < end; j++, sPrev += CounterNormals.GAMMA, sCur += CounterNormals.GAMMA) {
                float t = srcBf16 ? Float.intBitsToFloat((src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, j) & 0xFFFF) << 16)
                        : src.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j);
                if (update) {
                    float d = (float) CounterNormals.ziggurat(CounterNormals.mix64(sPrev)) * lrg;
                    if (wd) d = d + t * lrwd;
                    t = t - d;
                }
                if (perturb) {
                    float z = (float) CounterNormals.ziggurat(CounterNormals.mix64(sCur)) * eps;
                    float p = t + z;
                    float m = p + -2f * z; // −2·zε is exact: one rounding, as libtorch's fused add_(zε, −2)
                    t = m + z;
                    if (plus != null) plus.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, p);
                    if (minus != null) minus.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, m);
                } else if (plus != null) plus.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, t); // θ itself
                if (out == null) continue;
                if (outBf16) out.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, j, bf16(t));
                else out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, j, t);
            }
        });
    }

    /** fp32 → bf16 bits, round to nearest even (NaN to the canonical quiet NaN), as c10's {@code BFloat16}. */
    static short bf16(float f) {
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    @FunctionalInterface
    private interface ChunkTask {
        void run(long from, long n);
    }

    /** Runs {@code task} over [0, total) in chunks: the pool's threads and the caller's take them in turn. */
    private void forChunks(long total, ChunkTask task) {
        long chunks = (total + CHUNK - 1) / CHUNK;
        if (pool == null || chunks <= 1) {
            for (long c = 0; c < chunks; c++) task.run(c * CHUNK, Math.min(CHUNK, total - c * CHUNK));
            return;
        }
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
        Runnable worker = () -> {
            for (long c; (c = next.getAndIncrement()) < chunks; ) task.run(c * CHUNK, Math.min(CHUNK, total - c * CHUNK));
        };
        List<Future<?>> helpers = new ArrayList<>();
        for (int i = 0; i < Math.min(threads - 1, chunks - 1); i++) helpers.add(pool.submit(worker));
        worker.run();
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while drawing z", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("drawing z failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private static MemorySegment floats(Tensor t) {
        if (t.dtype() != DType.F32 || t.device().isCuda() || !t.isContiguous())
            throw new IllegalArgumentException("the parallel z stream writes contiguous fp32 CPU tensors, got " + t);
        return MemorySegment.ofAddress(t.dataAddress()).reinterpret(t.numel() * 4L);
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
