package dev.frugal.spark;

import dev.frugal.InvalidSettingException;
import dev.frugal.tensor.DType;
import dev.frugal.zo.OffloadConfig;
import dev.frugal.zo.OffloadTier;
import dev.frugal.zo.ZoHyperparameters;
import dev.frugal.zo.ZoRng;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a DistZO2 run needs, shipped to every worker. Paths must be reachable under the same name from the
 * driver and every executor (a shared file system on a real cluster; any local path on one machine).
 *
 * @param master          Spark master URL ({@code local[N]}, {@code spark://HOST:PORT}); null = take it from
 *                        spark-submit / an active SparkContext
 * @param workers         N barrier tasks, one model replica each
 * @param mode            DDP, PertP or 2D
 * @param modelDir        Hugging Face directory or frugal checkpoint to start from
 * @param checkpointDir   where checkpoints ({@code step-NNNNNNNN/}) and the driver's {@code replay.log} go
 * @param steps           steps to run in total
 * @param checkpointEvery checkpoint every this many steps (0 = only at the end); each also flushes the update
 * @param eps             ε
 * @param lr              learning rate
 * @param weightDecay     MeZO weight decay
 * @param seed            run seed (step seeds derive from it and the step, never from a worker)
 * @param offloadTier     ZO2 tier inside each worker
 * @param residentBlocks  K
 * @param storageDtype    storage dtype name (F32, BF16, F16)
 * @param offloadDir      disk tier root; each worker uses its own {@code rank-R/} below it
 * @param threadsPerWorker ATen threads of each worker's compute thread (OpenBLAS: set
 *                        {@code spark.executorEnv.OPENBLAS_NUM_THREADS}, done for non-local masters)
 * @param sparkConf       extra Spark settings
 * @param failAtStep      testing only: rank 1 throws before this step in the stage's first attempt (−1 = never)
 * @param transport       how the per-step scalars are all-gathered
 * @param rng             where z comes from: MeZO's stream (bit-compatible with the reference; the default of this
 *                        API) or the counter-based parallel one (half the draws per step; {@link ZoRng})
 */
public record DistZoOptions(String master, int workers, ParallelMode mode, String modelDir, String checkpointDir,
                            long steps, long checkpointEvery, double eps, double lr, double weightDecay, long seed,
                            OffloadTier offloadTier, int residentBlocks, String storageDtype, String offloadDir,
                            int threadsPerWorker, Map<String, String> sparkConf, long failAtStep,
                            ScalarTransport transport, ZoRng rng)
        implements Serializable {
    public DistZoOptions {
        mode.validate(workers);
        if (modelDir == null) throw new InvalidSettingException("modelDir", "is required");
        if (checkpointDir == null) throw new InvalidSettingException("checkpointDir", "is required for distributed training"
                + " (a directory every worker can reach): it holds the checkpoints and the replay log");
        if (steps < 0) throw new InvalidSettingException("steps", "must be >= 0, got " + steps);
        if (checkpointEvery < 0) throw new InvalidSettingException("checkpointEvery", "must be >= 0, got " + checkpointEvery);
        if (threadsPerWorker < 1) throw new InvalidSettingException("threads", "must be >= 1, got " + threadsPerWorker);
        sparkConf = Map.copyOf(sparkConf == null ? Map.of() : sparkConf);
        if (transport == null) transport = ScalarTransport.DRIVER_RELAY;
        if (rng == null) rng = ZoRng.MEZO;
        hyperparameters(eps, lr, weightDecay, seed, rng); // validates
        offload(offloadTier, residentBlocks, storageDtype, offloadDir, 0);
    }

    /** Defaults: in-memory fp32, ε = 1e-3, lr = 1e-6 (MeZO's OPT settings), 1 thread, no failure injection. */
    public static DistZoOptions of(String master, int workers, ParallelMode mode, String modelDir, String checkpointDir,
                                   long steps) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, 0, 1e-3, 1e-6, 0, 0,
                OffloadTier.NONE, 1, "F32", null, 1, Map.of(), -1, ScalarTransport.DRIVER_RELAY, ZoRng.MEZO);
    }

    public DistZoOptions withHyperparameters(double eps, double lr, double weightDecay, long seed) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, offloadTier, residentBlocks, storageDtype, offloadDir, threadsPerWorker, sparkConf,
                failAtStep, transport, rng);
    }

    public DistZoOptions withOffload(OffloadTier tier, int k, String dtype, String dir) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, tier, k, dtype, dir, threadsPerWorker, sparkConf, failAtStep, transport, rng);
    }

    public DistZoOptions withCheckpointEvery(long every) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, every, eps, lr, weightDecay,
                seed, offloadTier, residentBlocks, storageDtype, offloadDir, threadsPerWorker, sparkConf, failAtStep, transport, rng);
    }

    public DistZoOptions withThreads(int threads) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, offloadTier, residentBlocks, storageDtype, offloadDir, threads, sparkConf, failAtStep, transport, rng);
    }

    public DistZoOptions withSparkConf(Map<String, String> conf) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, offloadTier, residentBlocks, storageDtype, offloadDir, threadsPerWorker, conf,
                failAtStep, transport, rng);
    }

    public DistZoOptions withTransport(ScalarTransport t) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, offloadTier, residentBlocks, storageDtype, offloadDir, threadsPerWorker, sparkConf,
                failAtStep, t, rng);
    }

    public DistZoOptions withFailAtStep(long step) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, offloadTier, residentBlocks, storageDtype, offloadDir, threadsPerWorker, sparkConf,
                step, transport, rng);
    }

    /** The same run with z from {@code stream}. */
    public DistZoOptions withRng(ZoRng stream) {
        return new DistZoOptions(master, workers, mode, modelDir, checkpointDir, steps, checkpointEvery, eps, lr,
                weightDecay, seed, offloadTier, residentBlocks, storageDtype, offloadDir, threadsPerWorker, sparkConf,
                failAtStep, transport, stream);
    }

    public ZoHyperparameters hyperparameters() { return hyperparameters(eps, lr, weightDecay, seed, rng); }

    /** The ZO2 tiering of worker {@code rank} (its own disk directory). */
    public OffloadConfig offload(int rank) {
        return offload(offloadTier, residentBlocks, storageDtype, offloadDir, rank);
    }

    private static ZoHyperparameters hyperparameters(double eps, double lr, double wd, long seed, ZoRng rng) {
        return new ZoHyperparameters(eps, lr, wd, seed, rng);
    }

    private static OffloadConfig offload(OffloadTier tier, int k, String dtype, String dir, int rank) {
        DType dt = DType.parse(dtype.trim());
        return new OffloadConfig(tier, k, dt, dir == null ? null : Path.of(dir).resolve("rank-" + rank));
    }
}
