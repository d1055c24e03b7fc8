package dev.frugal.zo;

import dev.frugal.InvalidSettingException;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import java.nio.file.Path;

/**
 * ZO2's tiering.
 *
 * @param tier           where blocks live between uses
 * @param residentBlocks K: at most this many blocks are in the working tier at once (computing, prefetched, or
 *                       being written back); K ≥ 1
 * @param storageDtype   dtype of the stored blocks: F32, BF16 or F16
 * @param diskDir        directory of the block files for {@link OffloadTier#DISK}
 * @param device         where the working tier computes: the CPU, or a CUDA device (ZO2's own setting: the host tier
 *                       in pinned memory, uploads and write-backs on side streams); the model's resident parameters
 *                       (embeddings, head) must already be there
 * @param computeDtype   dtype of the working copies and of the arithmetic: F32, or the storage dtype itself (16-bit
 *                       compute, for GPUs)
 */
public record OffloadConfig(OffloadTier tier, int residentBlocks, DType storageDtype, Path diskDir, Device device,
                            DType computeDtype) {
    public OffloadConfig {
        if (residentBlocks < 1) throw new InvalidSettingException("residentBlocks", "must be >= 1, got " + residentBlocks);
        if (storageDtype != DType.F32 && storageDtype != DType.BF16 && storageDtype != DType.F16)
            throw new InvalidSettingException("storageDtype", "must be fp32, bf16 or fp16, got " + storageDtype);
        if (tier == OffloadTier.DISK && diskDir == null)
            throw new InvalidSettingException("diskDir", "is required with the disk tier (a directory for the block files)");
        if (computeDtype != DType.F32 && computeDtype != storageDtype)
            throw new InvalidSettingException("computeDtype", computeDtype + " with storage " + storageDtype
                    + ": compute in fp32, or in the storage dtype itself");
        if (device.isCuda() && tier == OffloadTier.DISK)
            throw new InvalidSettingException("offload", "disk with a CUDA working tier is not supported: use"
                    + " host (pinned host memory) or none");
    }

    /** CPU working tier in fp32 (every CPU mode). */
    public OffloadConfig(OffloadTier tier, int residentBlocks, DType storageDtype, Path diskDir) {
        this(tier, residentBlocks, storageDtype, diskDir, Device.CPU, DType.F32);
    }

    /** Plain in-memory fp32: MeZO. */
    public static OffloadConfig inMemory() { return new OffloadConfig(OffloadTier.NONE, 1, DType.F32, null); }

    public static OffloadConfig inMemory(DType storage) { return new OffloadConfig(OffloadTier.NONE, 1, storage, null); }

    public static OffloadConfig host(int k, DType storage) { return new OffloadConfig(OffloadTier.HOST, k, storage, null); }

    public static OffloadConfig disk(int k, DType storage, Path dir) {
        return new OffloadConfig(OffloadTier.DISK, k, storage, dir);
    }

    /** This tiering with its working tier on {@code device}, computing in {@code dtype}. */
    public OffloadConfig on(Device device, DType dtype) {
        return new OffloadConfig(tier, residentBlocks, storageDtype, diskDir, device, dtype);
    }

    /** Whether the blocks are used where they are stored (in memory, stored in the compute dtype): nothing to copy. */
    boolean zeroCopy() { return tier == OffloadTier.NONE && storageDtype == computeDtype; }
}
