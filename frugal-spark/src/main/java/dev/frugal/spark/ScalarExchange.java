package dev.frugal.spark;

import dev.frugal.zo.PerturbedLosses;
import dev.frugal.zo.ZoStep;
import java.nio.charset.StandardCharsets;

/**
 * What workers exchange per step through {@code BarrierTaskContext.allGather}: one short line per worker with the
 * step and its two losses (a side it did not compute is NaN) as exact IEEE-754 bit patterns, independent of the model
 * size. Every worker combines the gathered lines the same way, in rank order, so all derive the same g:
 * <pre>
 *   g_k = (ℓ₊,k − ℓ₋,k) / 2ε        per data shard k (MeZO's projected gradient on that shard)
 *   g   = (1/S) Σ_k g_k              S shards; S = 1 (PertP) gives the single-process g bit for bit
 * </pre>
 */
public final class ScalarExchange {
    private ScalarExchange() {}

    /** The message of one worker for step {@code t}. */
    public static String encode(long t, PerturbedLosses l) {
        return t + " " + Long.toHexString(Double.doubleToRawLongBits(l.lossPlus())) + " "
                + Long.toHexString(Double.doubleToRawLongBits(l.lossMinus()));
    }

    /** Bytes one step's exchange puts on the wire, counted as UTF-8 payload of every worker's message. */
    public static long payloadBytes(String[] gathered) {
        long n = 0;
        for (String s : gathered) n += s.getBytes(StandardCharsets.UTF_8).length;
        return n;
    }

    /**
     * Combines the gathered messages of step {@code t} (index = rank) into the step's scalars.
     *
     * @throws IllegalStateException when a message belongs to another step or a needed loss is missing
     */
    public static ZoStep combine(long t, long seed, String[] gathered, ParallelMode mode, double eps, double lr) {
        int workers = gathered.length;
        int shards = mode.shards(workers);
        double[] plus = new double[shards], minus = new double[shards];
        java.util.Arrays.fill(plus, Double.NaN);
        java.util.Arrays.fill(minus, Double.NaN);
        for (int r = 0; r < workers; r++) {
            String[] f = gathered[r].trim().split(" ");
            if (f.length != 3 || Long.parseLong(f[0]) != t)
                throw new IllegalStateException("worker " + r + " sent '" + gathered[r] + "' during step " + t);
            WorkerRole role = mode.role(r, workers);
            if (role.sides().plus()) plus[role.shard()] = Double.longBitsToDouble(Long.parseUnsignedLong(f[1], 16));
            if (role.sides().minus()) minus[role.shard()] = Double.longBitsToDouble(Long.parseUnsignedLong(f[2], 16));
        }
        double sumG = 0, sumPlus = 0, sumMinus = 0;
        for (int k = 0; k < shards; k++) {
            sumG += (plus[k] - minus[k]) / (2 * eps);
            sumPlus += plus[k];
            sumMinus += minus[k];
        }
        return new ZoStep(t, seed, sumPlus / shards, sumMinus / shards, sumG / shards, lr);
    }
}
