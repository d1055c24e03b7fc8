package dev.frugal.rl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The global grouping step of the length-aware scheduler: assign completions with predicted lengths {@code p_j} to
 * {@code m} decode slots so that the most loaded slot, {@code max_s Σ_{j→s} p_j} (the decode steps a continuous
 * sampler needs when every slot runs its own queue), is smallest: P_m||C_max. Its FPTAS (Sahni 1976): round every
 * length down to a multiple of {@code δ = ε·LB/n} with {@code LB = max(Σp/m, max p)}, then dynamic programming over the
 * vectors of rounded slot loads (kept sorted: slots are identical), jobs longest first. Rounding loses at most
 * {@code n·δ = ε·LB ≤ ε·OPT} on any slot, so the result is within
 * {@code (1 + ε)·OPT}.
 *
 * <p>Sparser DP (the small-job split of Hochbaum &amp; Shmoys' PTAS): only the <em>large</em> jobs, {@code p_j > ε·LB},
 * go through the DP, with {@code δ = ε·LB/n_large} (there are at most {@code m/ε} of them, since their sum is at most
 * {@code m·LB}); the small ones are then added longest first, each to the least loaded slot. The bound still holds:
 * if the makespan slot's last job is small, its load before that job was at most the mean, so the makespan is at most
 * {@code Σp/m + ε·LB ≤ (1 + ε)·OPT}; otherwise the makespan is the DP's, {@code ≤ OPT_large + n_large·δ ≤ (1 + ε)·OPT}.
 * Completion lengths of a GRPO batch are small next to a slot's total, so the DP stays small at any batch size. The
 * state count still grows like {@code (n_large/ε)^(m−1)}: past {@link #MAX_STATES} the instance is refused
 * ({@link TooLargeException}) and the caller falls back to LPT (a 4/3-approximation), saying so in its metrics.
 */
public final class Fptas {
    /** DP states kept over all layers before giving up (≈ 100 MB of heap at most). */
    public static final int MAX_STATES = 300_000;

    private Fptas() {}

    /** The instance needs more DP states than {@link #MAX_STATES}. */
    public static final class TooLargeException extends RuntimeException {
        TooLargeException(String m) { super(m); }
    }

    /**
     * @return lane (0..m−1) of each job
     */
    public static int[] assign(long[] sizes, int lanes, double epsilon) {
        if (!(epsilon > 0)) throw new dev.frugal.InvalidSettingException("fptasEpsilon", "must be > 0, got " + epsilon);
        if (lanes < 1) throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
        int n = sizes.length;
        if (n == 0) return new int[0];
        long sum = 0, max = 0;
        for (long s : sizes) {
            if (s < 0) throw new IllegalArgumentException("job size " + s + " < 0");
            sum += s;
            max = Math.max(max, s);
        }
        double lb = Math.max((double) sum / lanes, max);
        Integer[] all = new Integer[n];
        for (int i = 0; i < n; i++) all[i] = i;
        Arrays.sort(all, (a, b) -> Long.compare(sizes[b], sizes[a])); // longest first
        int nLarge = 0;
        while (nLarge < n && sizes[all[nLarge]] > epsilon * lb) nLarge++;
        int[] lane = largeJobs(sizes, Arrays.copyOf(all, nLarge), lanes, epsilon, lb);
        long[] loads = new long[lanes];
        for (int k = 0; k < nLarge; k++) loads[lane[all[k]]] += sizes[all[k]];
        for (int k = nLarge; k < n; k++) { // small jobs, longest first, to the least loaded slot (real lengths)
            int best = 0;
            for (int s = 1; s < lanes; s++) if (loads[s] < loads[best]) best = s;
            lane[all[k]] = best;
            loads[best] += sizes[all[k]];
        }
        return lane;
    }

    /** The DP over the large jobs {@code order} (longest first); returns a lane array over all of {@code sizes}. */
    private static int[] largeJobs(long[] sizes, Integer[] order, int lanes, double epsilon, double lb) {
        int[] lane = new int[sizes.length];
        int n = order.length;
        if (n == 0) return lane;
        double delta = Math.max(epsilon * lb / n, 1e-12);
        long[] q = new long[sizes.length];
        for (int i : order) q[i] = (long) Math.floor(sizes[i] / delta);
        // layer k: sorted load vector → (parent vector, lane chosen for job order[k-1] in the parent's sorted order)
        List<Map<Key, Back>> layers = new ArrayList<>();
        long kept = 1;
        Map<Key, Back> cur = new HashMap<>();
        cur.put(new Key(new long[lanes]), null);
        layers.add(cur);
        for (int k = 0; k < n; k++) {
            long w = q[order[k]];
            Map<Key, Back> next = new HashMap<>();
            for (Key state : cur.keySet()) {
                long[] l = state.loads;
                for (int s = 0; s < lanes; s++) {
                    if (s > 0 && l[s] == l[s - 1]) continue; // identical slots: one of equal loads suffices
                    long[] nl = l.clone();
                    nl[s] += w;
                    Arrays.sort(nl);
                    next.putIfAbsent(new Key(nl), new Back(state, s));
                    if (kept + next.size() > MAX_STATES) throw new TooLargeException(n + " jobs on " + lanes
                            + " slots at ε " + epsilon + " need more than " + MAX_STATES + " DP states");
                }
            }
            kept += next.size();
            if (next.size() > MAX_STATES) throw new TooLargeException(n + " jobs on " + lanes + " slots at ε " + epsilon
                    + " need more than " + MAX_STATES + " DP states");
            layers.add(next);
            cur = next;
        }
        Key best = null;
        for (Key k : cur.keySet()) if (best == null || k.loads[lanes - 1] < best.loads[lanes - 1]) best = k;
        // walk back: track which physical lane each sorted position is, as loads get re-sorted
        Key state = best;
        List<int[]> choices = new ArrayList<>();
        for (int k = n; k >= 1; k--) {
            Back b = layers.get(k).get(state);
            choices.add(new int[] {k - 1, b.lane});
            state = b.parent;
        }
        // replay forward on real loads, mapping "sorted position s" to a physical lane each step
        long[] loads = new long[lanes];
        int[] phys = new int[lanes]; // phys[s] = physical lane at sorted position s
        for (int s = 0; s < lanes; s++) phys[s] = s;
        for (int c = choices.size() - 1; c >= 0; c--) {
            int k = choices.get(c)[0], s = choices.get(c)[1];
            int p = phys[s];
            lane[order[k]] = p;
            loads[p] += q[order[k]];
            Integer[] idx = new Integer[lanes];
            for (int i = 0; i < lanes; i++) idx[i] = phys[i];
            Arrays.sort(idx, (a, b2) -> Long.compare(loads[a], loads[b2]));
            for (int i = 0; i < lanes; i++) phys[i] = idx[i];
        }
        return lane;
    }

    /** Longest processing time first: each job, longest first, to the least loaded slot (Graham's 4/3 bound). */
    public static int[] lpt(long[] sizes, int lanes) {
        int n = sizes.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Long.compare(sizes[b], sizes[a]));
        long[] loads = new long[lanes];
        int[] lane = new int[n];
        for (int j : order) {
            int best = 0;
            for (int s = 1; s < lanes; s++) if (loads[s] < loads[best]) best = s;
            lane[j] = best;
            loads[best] += sizes[j];
        }
        return lane;
    }

    /** The largest lane load of an assignment. */
    public static long makespan(long[] sizes, int[] lane, int lanes) {
        long[] loads = new long[lanes];
        for (int j = 0; j < sizes.length; j++) loads[lane[j]] += sizes[j];
        return Arrays.stream(loads).max().orElse(0);
    }

    private record Key(long[] loads) {
        @Override
        public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(loads, k.loads); }

        @Override
        public int hashCode() { return Arrays.hashCode(loads); }
    }

    private record Back(Key parent, int lane) {}
}
