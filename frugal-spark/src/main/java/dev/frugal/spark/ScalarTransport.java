package dev.frugal.spark;

/**
 * How workers all-gather a step's scalars.
 * <ul>
 *   <li>{@link #DRIVER_RELAY} (default): one line per worker over a TCP connection to the driver's
 *       {@link StepRelay}, answered as soon as the last worker's line arrives (two loopback round trips,
 *       well under a millisecond here).</li>
 *   <li>{@link #BARRIER_ALL_GATHER}: Spark's {@code BarrierTaskContext.allGather}. Spark 4.2 waits for its RPC by
 *       polling every 1000 ms ({@code Thread.sleep(1000)} in {@code runBarrier}), so each step costs at least a
 *       second: fine for large models, measured 1.1 s/step on the tiny fixture.</li>
 * </ul>
 * Both carry the same bytes and give the same results; the start-up agreement always uses {@code allGather}.
 */
public enum ScalarTransport {
    DRIVER_RELAY, BARRIER_ALL_GATHER
}
