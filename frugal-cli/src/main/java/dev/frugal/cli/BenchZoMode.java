package dev.frugal.cli;

import dev.frugal.UserInputException;
import java.util.Locale;

/**
 * The modes of {@code frugal bench zo}: each runs in a fresh process so that its peak resident memory is its own.
 */
enum BenchZoMode {
    /** In-memory fp32 ZO-SGD (MeZO's arithmetic, zero-copy blocks). */
    INMEM,
    /** {@link #INMEM} with the parallel z stream ({@code ZoRng.PARALLEL}): counter-based, threaded, fused. */
    INMEM_PARALLEL,
    /** ZO2, host tier in bf16, 2 resident blocks. */
    HOST_BF16,
    /** ZO2, disk tier in bf16, 2 resident blocks. */
    DISK_BF16,
    /** The disk mode on a model twice as deep: ZO2's memory must not grow with depth. */
    DISK_BF16_X2,
    /**
     * {@link #HOST_BF16} with the parallel z stream: with the forwards filling the cores, blocks are prepared on the
     * compute thread, so no block's z·ε is prepared ahead (one z·ε set instead of two).
     */
    HOST_BF16_PARALLEL,
    /** {@link #DISK_BF16} with the parallel z stream (see {@link #HOST_BF16_PARALLEL}). */
    DISK_BF16_PARALLEL,
    /**
     * Beyond memory: an OPT-6.7B-shaped model (random weights drawn straight to disk, bf16 blocks) through
     * {@link dev.frugal.zo.DiskStreamEngine} at a short sequence ({@link BenchZoShape#OPT_6_7B_SHORT}), whatever the
     * bench size. Not in the default set: minutes per step, 14 GB of disk.
     */
    DISK_BF16_OPT67B,
    /** The peer: princeton-nlp/MeZO's step in PyTorch (Debian's python3-torch), {@code bench/peers/mezo_torch.py}. */
    MEZO_TORCH;

    /** The key in the bench's JSON, e.g. {@code host_bf16}. */
    String key() { return name().toLowerCase(Locale.ROOT); }

    /** Whether this mode runs in Python rather than in a frugal worker JVM. */
    boolean isPeer() { return this == MEZO_TORCH; }

    /** Whether the engine keeps every block in memory in fp32 (the modes that also time the two plain forwards). */
    boolean inMemory() { return this == INMEM || this == INMEM_PARALLEL; }

    /** Whether the mode draws z with the parallel stream (Java loops: the worker needs C2, not only C1). */
    boolean parallelRng() {
        return this == INMEM_PARALLEL || this == HOST_BF16_PARALLEL || this == DISK_BF16_PARALLEL || this == DISK_BF16_OPT67B;
    }

    /** Whether {@code --modes} left out runs this mode. */
    boolean inDefaultSet() { return this != DISK_BF16_OPT67B; }

    /** Depth multiplier over the bench model's block count. */
    int depthFactor() { return this == DISK_BF16_X2 ? 2 : 1; }

    static BenchZoMode parse(String s) {
        for (BenchZoMode m : values()) if (m.key().equals(s.trim().toLowerCase(Locale.ROOT))) return m;
        throw new UserInputException("unknown bench mode '" + s + "': use inmem, inmem_parallel, host_bf16, disk_bf16, disk_bf16_x2,"
                + " host_bf16_parallel, disk_bf16_parallel, disk_bf16_opt67b or mezo_torch");
    }
}
