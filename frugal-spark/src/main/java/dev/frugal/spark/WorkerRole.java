package dev.frugal.spark;

import dev.frugal.zo.PerturbedSides;

/**
 * One worker's share of a DistZO2 step.
 *
 * @param rank   the barrier task's partition id
 * @param shard  which 1/shards slice of the global batch (rows) it forwards
 * @param shards how many slices the global batch is cut into
 * @param sides  which perturbed forwards it runs
 */
public record WorkerRole(int rank, int shard, int shards, PerturbedSides sides) implements java.io.Serializable {
    public WorkerRole {
        if (shards < 1 || shard < 0 || shard >= shards)
            throw new IllegalArgumentException("shard " + shard + " of " + shards + " is out of range");
        if (sides == PerturbedSides.NONE) throw new IllegalArgumentException("a training worker computes a loss");
    }
}
