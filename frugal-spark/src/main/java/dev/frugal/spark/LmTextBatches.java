package dev.frugal.spark;

import dev.frugal.tensor.Device;
import dev.frugal.zo.BatchSource;
import dev.frugal.zo.LmBatch;
import dev.frugal.zo.tasks.LmTextData;
import java.nio.file.Path;

/**
 * {@code frugal zo train --task lm}'s data for a distributed run: every JVM (driver and executors) reads and tokenises
 * the file itself, once, and serves the same {@link LmTextData#trainBatches} the single-process run uses, so the batch
 * of step t is the same everywhere. The file (and tokenizer) must be reachable under the same path on every worker.
 *
 * @param file         text or JSON-lines data file
 * @param tokenizer    tokenizer.json, or null for {@code input_ids} lines
 * @param seqLen       tokens per sequence
 * @param evalFraction held-out fraction (the single-process CLI uses 0.1)
 * @param vocabSize    the model's vocabulary size
 * @param batchSize    global batch size
 * @param seed         run seed (data order)
 */
public record LmTextBatches(String file, String tokenizer, int seqLen, double evalFraction, long vocabSize,
                            int batchSize, long seed) implements LmBatchSource {
    private static final java.util.Map<LmTextBatches, BatchSource<LmBatch>> LOADED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The data as this JVM read it (read on first use). */
    public LmTextData data() {
        return LmTextData.read(Path.of(file), tokenizer == null ? null : Path.of(tokenizer), seqLen, evalFraction,
                vocabSize, Device.CPU);
    }

    @Override
    public LmBatch batch(long t) {
        return LOADED.computeIfAbsent(this, k -> k.data().trainBatches(batchSize, seed)).batch(t);
    }
}
