package dev.frugal.spark;

import java.util.HashMap;
import java.util.Map;

/**
 * The driver side of {@link ScalarTransport#DRIVER_RELAY}: an all-gather of one short message per worker and step.
 * A worker's message for (stage attempt, step) waits until all N workers' have arrived; each then gets all N, in rank
 * order. Keyed by attempt, so the messages of a failed attempt never mix with its retry's.
 */
final class StepRelay {
    private record Key(int attempt, long step) {}

    private static final class Round {
        final String[] messages;
        int arrived;
        int collected;

        Round(int n) { messages = new String[n]; }
    }

    private final Map<Key, Round> rounds = new HashMap<>();

    /** Deposits {@code message} of {@code rank} and waits for the other {@code n − 1}. */
    synchronized String[] gather(int attempt, long step, int rank, int n, String message) throws InterruptedException {
        Key k = new Key(attempt, step);
        Round r = rounds.computeIfAbsent(k, x -> new Round(n));
        if (r.messages.length != n || rank < 0 || rank >= n || r.messages[rank] != null)
            throw new IllegalArgumentException("bad gather from rank " + rank + " of " + n + " at step " + step);
        r.messages[rank] = message;
        r.arrived++;
        if (r.arrived == n) notifyAll();
        while (r.arrived < n) wait();
        if (++r.collected == n) rounds.remove(k);
        return r.messages.clone();
    }

    /** Drops the rounds of attempts before {@code attempt} (their workers are gone). */
    synchronized void forgetBefore(int attempt) {
        rounds.keySet().removeIf(k -> k.attempt() < attempt);
    }
}
