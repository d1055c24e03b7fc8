package dev.frugal.rl;

import dev.frugal.model.CausalLM;
import dev.frugal.model.SlotDecoder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Samples G completions for each prompt under one of the four schedules of {@link SamplingMode}, on a
 * {@link SlotDecoder} (batch-invariant decoding). Each completion draws from its own generator, seeded from
 * {@code (seed, prompt index, sample index)}, and is decoded in one slot from start to end, so its tokens do not
 * depend on the schedule: all four modes give the same completions, token for token.
 */
public final class GroupSampler {
    private GroupSampler() {}

    /** Completions (prompt-major: prompt p's sample j at {@code p·G + j}) and what they cost. */
    public record Result(List<Completion> completions, SamplingStats stats) {}

    /**
     * @param predictor length predictor for {@link SamplingMode#INFINITE} (ignored otherwise; may then be null)
     * @throws dev.frugal.UserInputException for prompts longer than the model's positions allow, token ids out of range, or
     *                                  a KV budget too small for one sequence
     */
    public static Result sample(CausalLM model, List<long[]> prompts, SamplerConfig cfg, LengthPredictor predictor) {
        return sample(model, prompts, cfg, predictor, null);
    }

    /**
     * Like {@link #sample(CausalLM, List, SamplerConfig, LengthPredictor)}, but completion {@code i} (prompt-major) ends
     * after exactly {@code lengths[i]} tokens whatever it draws ({@code <eos>} is ignored): a model of another shape
     * (random weights) replays a trained model's lengths, so that schedules and memory can be measured at that shape
     * with the lengths of a real policy. Null = the model's own lengths.
     */
    public static Result replay(CausalLM model, List<long[]> prompts, SamplerConfig cfg, LengthPredictor predictor,
                                int[] lengths) {
        java.util.Objects.requireNonNull(lengths, "lengths");
        if (lengths.length != prompts.size() * cfg.numGenerations())
            throw new IllegalArgumentException(lengths.length + " replayed lengths for " + prompts.size() + " prompts x G "
                    + cfg.numGenerations());
        for (int l : lengths)
            if (l < 1 || l > cfg.maxCompletionLength()) throw new IllegalArgumentException("replayed length " + l
                    + " outside [1, " + cfg.maxCompletionLength() + "]");
        return sample(model, prompts, cfg, predictor, lengths);
    }

    private static Result sample(CausalLM model, List<long[]> prompts, SamplerConfig cfg, LengthPredictor predictor,
                                 int[] forced) {
        long t0 = System.nanoTime();
        int g = cfg.numGenerations(), n = prompts.size() * g;
        long vocab = model.config().vocabSize();
        int maxPrompt = 0;
        for (int p = 0; p < prompts.size(); p++) {
            long[] pr = prompts.get(p);
            if (pr.length == 0) throw new dev.frugal.UserInputException("prompt " + p + " is empty");
            for (long id : pr)
                if (id < 0 || id >= vocab) throw new dev.frugal.UserInputException("prompt " + p + " has token id " + id
                        + " outside the model's vocabulary [0, " + vocab + ")");
            maxPrompt = Math.max(maxPrompt, pr.length);
        }
        int capacity = maxPrompt + cfg.maxCompletionLength();
        if (capacity > model.config().maxPositions())
            throw new dev.frugal.UserInputException("the longest prompt (" + maxPrompt + " tokens) + --max-completion-length ("
                    + cfg.maxCompletionLength() + ") = " + capacity + " exceeds the model's " + model.config().maxPositions()
                    + " positions: shorten the prompts or the completions");
        Job[] jobs = new Job[n];
        for (int p = 0; p < prompts.size(); p++)
            for (int j = 0; j < g; j++) jobs[p * g + j] = new Job(p, j, generator(cfg.seed(), p, j),
                    forced == null ? 0 : forced[p * g + j]);
        double[] predicted = new double[n];
        Arrays.fill(predicted, Double.NaN);
        if (cfg.mode() == SamplingMode.INFINITE) {
            if (predictor == null) throw new IllegalArgumentException("infinite sampling needs a length predictor");
            for (int i = 0; i < n; i++) predicted[i] = predictor.predict(prompts.get(jobs[i].prompt));
        }
        Map<Integer, SlotDecoder.Prefill> prefills = new HashMap<>();
        int[] pendingPerPrompt = new int[prompts.size()];
        Arrays.fill(pendingPerPrompt, g);
        int slots;
        String grouping = "-";
        Schedule schedule;
        slots = slotCount(model, prompts, cfg, capacity, n);
        try (SlotDecoder dec = new SlotDecoder(model, slots, capacity)) {
            switch (cfg.mode()) {
                case FULL, MICRO -> schedule = new Rounds(n);
                case CONTINUOUS -> schedule = new Fifo(n);
                case INFINITE -> {
                    long[] sizes = new long[n];
                    for (int i = 0; i < n; i++) sizes[i] = Math.round(predicted[i]);
                    int[] lane;
                    try {
                        lane = Fptas.assign(sizes, slots, cfg.fptasEpsilon());
                        grouping = "fptas";
                    } catch (Fptas.TooLargeException e) {
                        lane = Fptas.lpt(sizes, slots);
                        grouping = "lpt";
                    }
                    schedule = new LanesSjf(lane, predicted, slots);
                }
                default -> throw new AssertionError();
            }
            Job[] inSlot = new Job[slots];
            long steps = 0, tokens = 0, kvPeak = 0;
            int done = 0;
            boolean roundBarrier = cfg.mode() == SamplingMode.MICRO || cfg.mode() == SamplingMode.FULL;
            while (done < n) {
                boolean anyActive = false;
                for (Job j : inSlot) anyActive |= j != null;
                if (!roundBarrier || !anyActive) {
                    for (int s = 0; s < slots; s++) {
                        while (inSlot[s] == null) {
                            int next = schedule.next(s);
                            if (next < 0) break;
                            Job job = jobs[next];
                            SlotDecoder.Prefill pf = prefills.computeIfAbsent(job.prompt,
                                    p -> dec.prefill(prompts.get(p)));
                            dec.load(s, pf);
                            kvPeak = Math.max(kvPeak, dec.kvBytes() + prefillBytes(prefills, model.blockParams().size()));
                            if (--pendingPerPrompt[job.prompt] == 0) prefills.remove(job.prompt).close();
                            job.pos = prompts.get(job.prompt).length;
                            tokens++;
                            if (job.accept(draw(pf.lastLogits(), cfg, job.rng), cfg)) done++;
                            else inSlot[s] = job;
                        }
                    }
                }
                long[] tok = new long[slots], pos = new long[slots];
                boolean active = false;
                for (int s = 0; s < slots; s++) {
                    if (inSlot[s] == null) continue;
                    tok[s] = inSlot[s].last();
                    pos[s] = inSlot[s].pos;
                    active = true;
                }
                if (!active) continue;
                float[][] logits = dec.step(tok, pos);
                steps++;
                for (int s = 0; s < slots; s++) {
                    Job job = inSlot[s];
                    if (job == null) continue;
                    job.pos++;
                    tokens++;
                    if (job.accept(draw(logits[s], cfg, job.rng), cfg)) {
                        inSlot[s] = null;
                        done++;
                    }
                }
            }
            List<Completion> out = new ArrayList<>(n);
            for (Job j : jobs) out.add(new Completion(j.prompt, j.sample, j.tokens()));
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(out, new SamplingStats(slots, dec.rows(), steps, tokens, kvPeak, secs, grouping, predicted));
        } finally {
            for (SlotDecoder.Prefill p : prefills.values()) p.close();
        }
    }

    /** g, P·G, or what the KV budget holds (one row per slot, rounded up to the decoder's row granularity). */
    private static int slotCount(CausalLM model, List<long[]> prompts, SamplerConfig cfg, int capacity, int n) {
        if (cfg.mode() == SamplingMode.FULL) return n;
        if (cfg.kvBudgetBytes() == 0) return cfg.microGroupSize();
        long perRow;
        try (SlotDecoder d = new SlotDecoder(model, 1, capacity); SlotDecoder.Prefill pf = d.prefill(new long[] {prompts.get(0)[0]})) {
            perRow = SlotDecoder.bytesPerRow(model, pf, capacity);
        }
        long fit = cfg.kvBudgetBytes() / perRow;
        if (fit < 1) throw new dev.frugal.InvalidSettingException("kvBudgetMb", "" + mb(cfg.kvBudgetBytes()) + " is smaller than one"
                + " sequence: a slot of " + capacity + " positions needs " + mb(perRow) + " MB of keys and values");
        int align = SlotDecoder.ROW_ALIGN;
        if (fit >= align) fit = fit / align * align; // padding rows must fit the budget too
        else throw new dev.frugal.InvalidSettingException("kvBudgetMb", "" + mb(cfg.kvBudgetBytes()) + " holds " + fit
                + " sequences, but batch-invariant decoding allocates " + align + " rows at a time: give at least "
                + mb(perRow * align) + " MB");
        return (int) Math.min(fit, Math.min(n, cfg.numGenerations() * (long) prompts.size()));
    }

    private static String mb(long bytes) { return String.format("%.3f", bytes / 1048576.0); }

    private static long prefillBytes(Map<Integer, SlotDecoder.Prefill> m, int layers) {
        long b = 0;
        for (SlotDecoder.Prefill p : m.values())
            for (int l = 0; l < layers; l++) b += p.cache().layerKeys(l).nbytes() + p.cache().layerValues(l).nbytes();
        return b;
    }

    /** The generator of prompt p's sample j: SplittableRandom seeded by a mix of (seed, p, j). */
    static SplittableRandom generator(long seed, int prompt, int sample) {
        long h = seed * 0x9E3779B97F4A7C15L + prompt;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + sample;
        return new SplittableRandom(h ^ (h >>> 29));
    }

    /**
     * One draw: softmax of {@code logits / T}, nucleus top-p (tokens most likely first, ties by id; a token is dropped
     * when the mass before it already reaches p, the first always stays), then inverse-CDF with one uniform.
     */
    static long draw(float[] logits, SamplerConfig cfg, SplittableRandom rng) {
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l / cfg.temperature());
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) sum += p[i] = Math.exp(logits[i] / cfg.temperature() - max);
        Integer[] idx = new Integer[v];
        for (int i = 0; i < v; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int keep = v;
        if (cfg.topP() < 1) {
            double before = 0;
            for (int k = 0; k < v; k++) {
                if (k > 0 && before / sum >= cfg.topP() - 1e-12) { keep = k; break; }
                before += p[idx[k]];
            }
        }
        double kept = 0;
        for (int k = 0; k < keep; k++) kept += p[idx[k]];
        double u = rng.nextDouble() * kept, c = 0;
        for (int k = 0; k < keep; k++) {
            c += p[idx[k]];
            if (u < c) return idx[k];
        }
        return idx[keep - 1];
    }

    private static final class Job {
        final int prompt, sample;
        final SplittableRandom rng;
        final List<Long> out = new ArrayList<>();
        final int forced; // 0: ends at <eos> or the length limit; > 0: ends after exactly this many tokens
        long pos;

        Job(int prompt, int sample, SplittableRandom rng, int forced) {
            this.prompt = prompt;
            this.sample = sample;
            this.rng = rng;
            this.forced = forced;
        }

        long last() { return out.get(out.size() - 1); }

        /** Appends a token; true when the completion is finished. */
        boolean accept(long tok, SamplerConfig cfg) {
            out.add(tok);
            if (forced > 0) return out.size() >= forced;
            return tok == cfg.eosTokenId() || out.size() >= cfg.maxCompletionLength();
        }

        long[] tokens() { return out.stream().mapToLong(Long::longValue).toArray(); }
    }

    /** Which job a free slot takes next (−1: none now). */
    private interface Schedule {
        int next(int slot);
    }

    /** Prompt-major order; used with a round barrier (micro, full). */
    private static final class Rounds implements Schedule {
        private int next;
        private final int n;

        Rounds(int n) { this.n = n; }

        @Override
        public int next(int slot) { return next < n ? next++ : -1; }
    }

    /** Prompt-major order, refilled at once (continuous). */
    private static final class Fifo implements Schedule {
        private final Deque<Integer> q = new ArrayDeque<>();

        Fifo(int n) { for (int i = 0; i < n; i++) q.add(i); }

        @Override
        public int next(int slot) { return q.isEmpty() ? -1 : q.poll(); }
    }

    /** FPTAS lanes, shortest predicted job first in each; an empty lane steals the globally shortest job. */
    private static final class LanesSjf implements Schedule {
        private final List<PriorityQueue<Integer>> lanes = new ArrayList<>();
        private final boolean[] taken;

        LanesSjf(int[] lane, double[] predicted, int slots) {
            Comparator<Integer> sjf = Comparator.<Integer>comparingDouble(i -> predicted[i]).thenComparingInt(i -> i);
            for (int s = 0; s < slots; s++) lanes.add(new PriorityQueue<>(sjf));
            for (int i = 0; i < lane.length; i++) lanes.get(lane[i]).add(i);
            taken = new boolean[lane.length];
        }

        @Override
        public int next(int slot) {
            PriorityQueue<Integer> own = lanes.get(slot);
            if (!own.isEmpty()) return own.poll();
            PriorityQueue<Integer> best = null;
            for (PriorityQueue<Integer> q : lanes)
                if (!q.isEmpty() && (best == null || q.comparator().compare(q.peek(), best.peek()) < 0)) best = q;
            return best == null ? -1 : best.poll();
        }
    }
}
