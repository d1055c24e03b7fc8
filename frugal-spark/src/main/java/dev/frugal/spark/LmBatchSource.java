package dev.frugal.spark;

import dev.frugal.zo.BatchSource;
import dev.frugal.zo.LmBatch;
import java.io.Serializable;

/**
 * The global causal-LM batch of step t, shipped to every worker with the task: it must depend only on (its settings,
 * t), so that every worker, every retried stage and the single-process run see the same batch. Workers take their
 * rows with {@link #shard}.
 */
@FunctionalInterface
public interface LmBatchSource extends BatchSource<LmBatch>, Serializable {
    /**
     * Rows {@code [k·B/S, (k+1)·B/S)} of {@code global}: DDP's equal shard k of S (views in the caller's scope).
     *
     * @throws IllegalArgumentException when the batch size B is not a multiple of S
     */
    static LmBatch shard(LmBatch global, int k, int shards) {
        long b = global.inputIds().shape()[0];
        if (b % shards != 0) throw new IllegalArgumentException("the global batch of " + b + " sequences cannot be cut"
                + " into " + shards + " equal shards: choose a batch size divisible by " + shards);
        if (shards == 1) return global;
        long rows = b / shards;
        return new LmBatch(global.inputIds().narrow(0, k * rows, rows),
                global.mask() == null ? null : global.mask().narrow(0, k * rows, rows),
                global.labels().narrow(0, k * rows, rows));
    }
}
