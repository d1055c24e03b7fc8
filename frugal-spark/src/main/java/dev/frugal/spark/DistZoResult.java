package dev.frugal.spark;

import dev.frugal.zo.ZoStep;
import java.nio.file.Path;
import java.util.List;

/**
 * What a DistZO2 run reports.
 *
 * @param history        every step's scalars (seed, mean losses, g, lr), from step 0
 * @param finalCheckpoint the checkpoint written after the last step
 * @param replicaDigests CRC-32 of each worker's final parameters, by rank (all equal: the replicas are identical)
 * @param stageAttempt   the barrier stage attempt that finished (0 = no failure)
 * @param resumedFrom    the checkpoint step that attempt loaded
 * @param replayedTo     the step up to which it replayed the log
 * @param setupSeconds   rank 0's start-up: model load, checkpoint and log replay
 * @param seconds        driver wall time of the whole run, Spark start-up included
 * @param bytesPerStep   payload bytes gathered per step (all workers' messages), independent of model size
 * @param secondsPerStep rank 0's mean wall time per trained step (forwards, exchange, update, checkpoints)
 * @param stepSeconds    rank 0's wall time of each trained step: forwards, exchange, log (checkpoints excluded)
 * @param phases         where the steps' time went (forwards, waiting for the others, transport, the rest, Spark)
 */
public record DistZoResult(List<ZoStep> history, Path finalCheckpoint, List<String> replicaDigests, int stageAttempt,
                           long resumedFrom, long replayedTo, double setupSeconds, double seconds, double bytesPerStep, double secondsPerStep,
                           List<Double> stepSeconds, StepPhases phases) {
    public DistZoResult {
        history = List.copyOf(history);
        replicaDigests = List.copyOf(replicaDigests);
        stepSeconds = List.copyOf(stepSeconds);
    }

    /** Median steps per second over the trained steps after the first {@code warmup}. */
    public double medianStepsPerSecond(int warmup) {
        List<Double> s = stepSeconds.subList(Math.min(warmup, stepSeconds.size()), stepSeconds.size()).stream()
                .sorted().toList();
        if (s.isEmpty()) return Double.NaN;
        double m = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        return 1 / m;
    }

    /** Whether every worker ended with bit-identical parameters. */
    public boolean replicasIdentical() { return replicaDigests.stream().distinct().count() == 1; }
}
