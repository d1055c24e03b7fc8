package dev.frugal.zo;

import dev.frugal.tensor.DType;
import java.nio.file.Path;

/**
 * ZO2's tiering.
 *
 * @param tier           where blocks live between uses
 * @param residentBlocks K: at most this many blocks are in the working tier at once (computing, prefetched, or
 *                       being written back); K ≥ 1
 * @param storageDtype   dtype of the stored blocks: F32, BF16 or F16 (compute is always fp32)
 * @param diskDir        directory of the block files for {@link OffloadTier#DISK}
 */
public record OffloadConfig(OffloadTier tier, int residentBlocks, DType storageDtype, Path diskDir) {
    public OffloadConfig {
        if (residentBlocks < 1) throw new IllegalArgumentException("--resident-blocks must be >= 1, got " + residentBlocks);
        if (storageDtype != DType.F32 && storageDtype != DType.BF16 && storageDtype != DType.F16)
            throw new IllegalArgumentException("--storage-dtype must be fp32, bf16 or fp16, got " + storageDtype);
        if (tier == OffloadTier.DISK && diskDir == null)
            throw new IllegalArgumentException("--offload disk needs a directory for the block files (--offload-dir)");
    }

    /** Plain in-memory fp32: MeZO. */
    public static OffloadConfig inMemory() { return new OffloadConfig(OffloadTier.NONE, 1, DType.F32, null); }

    public static OffloadConfig inMemory(DType storage) { return new OffloadConfig(OffloadTier.NONE, 1, storage, null); }

    public static OffloadConfig host(int k, DType storage) { return new OffloadConfig(OffloadTier.HOST, k, storage, null); }

    public static OffloadConfig disk(int k, DType storage, Path dir) {
        return new OffloadConfig(OffloadTier.DISK, k, storage, dir);
    }
}
