package dev.frugal.interp;

import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Automatic Circuit DisCovery (Conmy et al. 2023, Algorithm 1) over a {@link PatchedForward}: receivers in reverse
 * topological order; each incoming edge is removed (patched to its corrupted value) when that raises the metric by
 * less than τ, the removal then standing for every later test. A receiver whose outputs were all removed is pruned
 * without tests, as ACDC's {@code current_node_connected} does.
 *
 * <p>Exact accelerations (same circuit as one-edge-per-forward ACDC): blocks before the receiver come from the clean
 * cache, and in the receiver's own block only the receiver's component is recomputed per configuration (the rest of
 * the block is the same in all of them); {@code edgesPerForward} edges are tested in one forward by stacking the configurations "current circuit",
 * "minus e₁", "minus e₁, e₂", … along the batch — valid up to the first kept edge, after which the sweep resumes
 * from the next edge.
 */
public final class Acdc {
    /** At most this many rows (configurations × batch) per speculative forward, to bound peak memory. */
    static final long ROW_BUDGET = 512;
    private final PatchedForward forward;
    private final Tensor ids;
    private final ActivationCache clean;
    private final ActivationCache corrupted;
    private final Metric metric;
    private long forwards;
    private long rows;
    private boolean headAtPositions; // exact: the LM head only where the metric reads

    /**
     * @param ids       clean input {@code (B, T)}
     * @param clean     the clean cache of {@code ids}
     * @param corrupted the corrupted cache (null for zero ablation)
     */
    public Acdc(PatchedForward forward, Tensor ids, ActivationCache clean, ActivationCache corrupted, Metric metric) {
        this.forward = forward;
        this.ids = ids;
        this.clean = clean;
        this.corrupted = corrupted;
        this.metric = metric;
    }

    /** Runs the sweep; {@code onEdges} hears how many edges each step settled (for a progress bar), or null. */
    public Circuit run(AcdcSettings s, IntConsumer onEdges) {
        if (s.precision() != forward.precision()) throw new IllegalArgumentException("settings ask for " + s.precision()
                + " but the forward was built for " + forward.precision());
        if ((s.ablation() == AcdcSettings.Ablation.ZERO) != (corrupted == null))
            throw new IllegalArgumentException("zero ablation needs no corrupted cache; corrupted patching needs one");
        long t0 = System.nanoTime();
        headAtPositions = s.reuseCache();
        forwards = 0;
        rows = 0;
        CircuitGraph g = forward.graph();
        Set<Edge> removed = new LinkedHashSet<>();
        List<Circuit.EdgeScore> scores = new ArrayList<>();
        // float32 starts from the clean metric; PAHQ measures it at the end (its value does not depend on when), so
        // that a streamed set-up investigates the output, which runs no block, before its low-precision copies exist
        boolean full = s.precision() == Precision.FP32;
        double cleanMetric = full ? evaluate(List.of(Set.of()), 0)[0] : Double.NaN;
        double base = cleanMetric;
        // the arrangement of precisions the current circuit's metric `base` was computed under: float32 has one
        // arrangement; PAHQ's depends on the investigated component
        Arrangement baseArrangement = s.precision() == Precision.FP32 ? new Arrangement.FullPrecision() : null;
        int tested = 0, keptSoFar = 0, capUsed = 0; // tested/kept: the speculation depth; capUsed: maxEdgeTests
        List<Edge> untested = new ArrayList<>(); // past the cap: scored after the receiver's tests, kept
        for (Node r : g.receivers()) {
            // the last receiver's transients back to the system (glibc kept them: PAHQ's resident set crept from 564
            // to 627 MB over the receivers after the output at GPT-2-small shapes); every precision alike
            dev.frugal.tensor.NativeMemory.trim();
            for (Edge e : untested) scores.add(new Circuit.EdgeScore(e, Double.NaN, true));
            untested.clear();
            List<Edge> in = g.incoming(r);
            if (!connected(r, removed, g)) {
                for (Edge e : in) {
                    removed.add(e);
                    scores.add(new Circuit.EdgeScore(e, Double.NaN, false));
                }
                if (onEdges != null) onEdges.accept(in.size());
                continue;
            }
            int left = s.maxEdgeTests() > 0 ? s.maxEdgeTests() - capUsed : Integer.MAX_VALUE;
            if (in.size() > left) { // capped: the rest stay in the circuit, untested
                untested.addAll(in.subList(Math.max(0, left), in.size()));
                if (onEdges != null) onEdges.accept(in.size() - Math.max(0, left));
                in = in.subList(0, Math.max(0, left));
            }
            capUsed += in.size();
            if (in.isEmpty()) continue;
            int start = s.reuseCache() ? Math.min(r.layer(), forward.model().config().numLayers()) : 0;
            Node varying = s.reuseCache() ? r : null;
            if (s.edgesPerForward() == 1) {
                base = evaluate(List.of(Set.copyOf(removed)), start, varying, r)[0];
                for (Edge e : in) {
                    Set<Edge> trial = new HashSet<>(removed);
                    trial.add(e);
                    double m = evaluate(List.of(trial), start, varying, r)[0];
                    double delta = m - base;
                    boolean keep = !(delta < s.threshold());
                    if (!keep) {
                        removed.add(e);
                        base = m;
                    }
                    scores.add(new Circuit.EdgeScore(e, delta, keep));
                    if (onEdges != null) onEdges.accept(1);
                }
                continue;
            }
            int i = 0;
            // float32 carries the current circuit's metric from receiver to receiver; PAHQ recomputes it in the same
            // batch as the trials, under their precision arrangement, unless the last receiver had the same one (the
            // q, k and v inputs of one head, with only that head's block recomputed)
            Arrangement arrangement = Arrangement.of(s.precision(), varying);
            boolean reuseBase = baseArrangement != null && arrangement.shares(baseArrangement);
            while (i < in.size()) {
                int maxByRows = (int) Math.max(1, ROW_BUDGET / ids.size(0) - 1);
                int n = Math.min(speculationDepth(Math.min(s.edgesPerForward(), maxByRows), tested, keptSoFar), in.size() - i);
                boolean withBase = !reuseBase;
                List<Set<Edge>> configs = new ArrayList<>();
                Set<Edge> cur = new HashSet<>(removed);
                if (withBase) configs.add(Set.copyOf(cur));
                for (int j = 0; j < n; j++) {
                    cur.add(in.get(i + j));
                    configs.add(Set.copyOf(cur));
                }
                double[] got = evaluate(configs, start, varying, r);
                double[] m = new double[n + 1];
                System.arraycopy(got, 0, m, withBase ? 0 : 1, got.length);
                if (withBase) base = m[0];
                else m[0] = base;
                reuseBase = true;
                baseArrangement = arrangement;
                int j = 0;
                for (; j < n; j++) {
                    Edge e = in.get(i + j);
                    double delta = m[j + 1] - base;
                    boolean keep = !(delta < s.threshold());
                    scores.add(new Circuit.EdgeScore(e, delta, keep));
                    tested++;
                    if (keep) keptSoFar++;
                    if (onEdges != null) onEdges.accept(1);
                    if (keep) { // later configurations assumed this edge removed: resume after it
                        j++;
                        break;
                    }
                    removed.add(e);
                    base = m[j + 1];
                }
                i += j;
            }
        }
        for (Edge e : untested) scores.add(new Circuit.EdgeScore(e, Double.NaN, true));
        if (!full) cleanMetric = evaluate(List.of(Set.of()), 0)[0];
        double circuitMetric = evaluate(List.of(Set.copyOf(removed)), 0)[0];
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Circuit(scores, s.threshold(), metric.name(), s.precision(), cleanMetric, circuitMetric, forwards,
                rows, secs);
    }

    /**
     * How many edges to test in the next speculative forward: about the expected run of removals before the next kept
     * edge, {@code 1 / P(keep)} with P estimated as (kept + 1) / (tested + 2), capped at {@code max}. Deeper batches
     * past a kept edge are wasted rows; shallower ones waste calls.
     */
    static int speculationDepth(int max, int tested, int kept) {
        double pKeep = (kept + 1.0) / (tested + 2.0);
        return (int) Math.max(1, Math.min(max, Math.ceil(1.0 / pKeep)));
    }

    /** The metric of each configuration of removed edges, computed from block {@code start}. */
    public double[] evaluate(List<Set<Edge>> configs, int start) { return evaluate(configs, start, null); }

    /**
     * As {@link #evaluate(List, int)}, where the configurations differ only in edges into {@code varying} (or null),
     * so that only that receiver's component is recomputed in its block.
     */
    public double[] evaluate(List<Set<Edge>> configs, int start, Node varying) {
        return evaluate(configs, start, varying, varying);
    }

    /** As {@link #evaluate(List, int, Node)}, with {@code investigated}'s component in float32 (PAHQ), or none. */
    double[] evaluate(List<Set<Edge>> configs, int start, Node varying, Node investigated) {
        forwards++;
        rows += (long) configs.size() * ids.size(0);
        try (Scope sc = Scope.open()) {
            if (headAtPositions)
                return forward.metric(ids, configs, start, varying, investigated, metric, clean, corrupted);
            Tensor logits = forward.logits(ids, configs, start, varying, investigated, null, clean, corrupted);
            return metric.evaluate(logits, configs.size());
        }
    }

    /** Whether some edge out of {@code r}'s component still stands (the output always is). */
    private static boolean connected(Node r, Set<Edge> removed, CircuitGraph g) {
        Node component = switch (r.kind()) {
            case OUTPUT -> null;
            case Q, K, V -> Node.head(r.layer(), r.head());
            case MLP -> r;
            default -> throw new IllegalArgumentException(r + " is not a receiver");
        };
        if (component == null) return true;
        for (Node other : g.receivers())
            if (other.order() > component.order())
                for (Edge e : g.incoming(other)) if (e.sender().equals(component) && !removed.contains(e)) return true;
        return false;
    }
}
