package dev.frugal.spark;

import dev.frugal.InvalidSettingException;
import dev.frugal.zo.PerturbedSides;
import java.util.Locale;

/**
 * DistZO2's strategies (arXiv 2507.03211): how N workers split a ZO step.
 * <ul>
 *   <li>{@link #PERTP} perturbation parallelism: 2 workers, one runs the forward at θ + εz, the other at θ − εz,
 *       on the whole batch; together they give exactly the single-process step.</li>
 *   <li>{@link #DDP} data parallelism: each of N workers runs both forwards on its 1/N of the batch;
 *       g = mean over shards of (ℓ₊ − ℓ₋)/2ε.</li>
 *   <li>{@link #TWO_D}: N/2 PertP pairs inside DDP; pair k computes shard k, one side per worker.</li>
 * </ul>
 */
public enum ParallelMode {
    DDP, PERTP, TWO_D;

    /** Parses the CLI spelling {@code ddp | pertp | 2d}. */
    public static ParallelMode parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "ddp" -> DDP;
            case "pertp" -> PERTP;
            case "2d" -> TWO_D;
            default -> throw new InvalidSettingException("parallel", "must be ddp, pertp or 2d, got '" + s + "'");
        };
    }

    /** The CLI spelling. */
    public String cliName() {
        return switch (this) {
            case DDP -> "ddp";
            case PERTP -> "pertp";
            case TWO_D -> "2d";
        };
    }

    /** Checks that {@code workers} fits this mode, with a message that says what to choose instead. */
    public void validate(int workers) {
        switch (this) {
            case DDP -> {
                if (workers < 1) throw new InvalidSettingException("workers", "must be >= 1, got " + workers);
            }
            case PERTP -> {
                if (workers != 2) throw new InvalidSettingException("workers", "must be 2 in parallel mode pertp (one"
                        + " per perturbed forward), got " + workers + "; use mode 2d for more");
            }
            case TWO_D -> {
                if (workers < 2 || workers % 2 != 0) throw new InvalidSettingException("workers", "must be even in parallel mode 2d (an even"
                        + " number of workers (PertP pairs), got " + workers);
            }
        }
    }

    /** Number of data shards the global batch is split into. */
    public int shards(int workers) {
        validate(workers);
        return switch (this) {
            case DDP -> workers;
            case PERTP -> 1;
            case TWO_D -> workers / 2;
        };
    }

    /** What worker {@code rank} of {@code workers} computes. */
    public WorkerRole role(int rank, int workers) {
        validate(workers);
        java.util.Objects.checkIndex(rank, workers);
        return switch (this) {
            case DDP -> new WorkerRole(rank, rank, workers, PerturbedSides.BOTH);
            case PERTP, TWO_D -> new WorkerRole(rank, rank / 2, shards(workers),
                    rank % 2 == 0 ? PerturbedSides.PLUS : PerturbedSides.MINUS);
        };
    }
}
