package dev.frugal.spark;

import static dev.frugal.Stats.median;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the trained steps of a DistZO2 run spent their time, as every worker measured it: per rank and step the seconds
 * of the forwards ({@code Zo2Engine.perturbedLosses}: the pending update, the perturbations and this worker's
 * forwards) and of the scalar exchange (from sending its line to holding everyone's), and rank 0's whole step.
 *
 * @param stepSeconds     rank 0's wall time of each trained step
 * @param perRank         rank → per trained step {forward s, exchange s}
 * @param outsideSeconds  the driver's wall time of the run minus rank 0's start-up and training loop: Spark's job
 *                        submission, barrier scheduling, task launch and result collection
 * @param trainedSteps    steps trained in this run
 */
public record StepPhases(List<Double> stepSeconds, Map<Integer, List<double[]>> perRank, double outsideSeconds,
                         long trainedSteps) {
    public StepPhases {
        stepSeconds = List.copyOf(stepSeconds);
        Map<Integer, List<double[]>> copy = new TreeMap<>();
        perRank.forEach((r, s) -> copy.put(r, List.copyOf(s)));
        perRank = java.util.Collections.unmodifiableMap(copy);
    }

    /**
     * Medians over the trained steps after the first {@code warmup}, in seconds per step.
     *
     * @param step      rank 0's step
     * @param forwards  rank 0's forwards
     * @param slowest   the slowest rank's forwards
     * @param waiting   rank 0 waiting for the other workers' lines: its exchange minus the transport
     * @param transport the exchange of the rank whose line arrived last (that rank waits for nobody): two loopback
     *                  round trips through the driver's relay, or Spark's allGather
     * @param rest      rank 0's step minus its forwards and exchange: slicing the shard, combining the scalars,
     *                  deferring the update, logging the step
     * @param spark     {@link #outsideSeconds} spread over the trained steps
     */
    public record Breakdown(double step, double forwards, double slowest, double waiting, double transport, double rest,
                            double spark) {}

    /** The breakdown of the steps after {@code warmup} (NaN everywhere when none is left or no rank reported). */
    public Breakdown breakdown(int warmup) {
        List<double[]> r0 = perRank.get(0);
        int n = r0 == null ? 0 : Math.min(r0.size(), stepSeconds.size());
        List<Double> step = new ArrayList<>(), fwd = new ArrayList<>(), slow = new ArrayList<>(), wait = new ArrayList<>(),
                transport = new ArrayList<>(), rest = new ArrayList<>();
        for (int i = Math.min(warmup, n); i < n; i++) {
            double maxFwd = 0, minX = Double.POSITIVE_INFINITY;
            for (List<double[]> r : perRank.values()) {
                if (i >= r.size()) continue;
                maxFwd = Math.max(maxFwd, r.get(i)[0]);
                minX = Math.min(minX, r.get(i)[1]);
            }
            double f0 = r0.get(i)[0], x0 = r0.get(i)[1], s = stepSeconds.get(i);
            step.add(s);
            fwd.add(f0);
            slow.add(maxFwd);
            wait.add(Math.max(0, x0 - minX));
            transport.add(minX);
            rest.add(Math.max(0, s - f0 - x0));
        }
        double spark = trainedSteps > 0 ? outsideSeconds / trainedSteps : Double.NaN;
        return new Breakdown(median(step), median(fwd), median(slow), median(wait), median(transport), median(rest), spark);
    }
}
