package dev.frugal.cli;

import dev.frugal.tensor.PeakRss;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.CausalLM;
import dev.frugal.model.Models;
import dev.frugal.rl.Completion;
import dev.frugal.rl.GroupSampler;
import dev.frugal.rl.LengthPredictor;
import dev.frugal.rl.SamplerConfig;
import dev.frugal.rl.SamplingMode;
import dev.frugal.rl.task.CharVocab;
import dev.frugal.rl.task.TaskFamily;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Tensors;
import dev.frugal.tensor.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One sampler of {@code bench grpo-sampling} in a process of its own, so that its peak RSS is its own: loads the
 * model, warms the code paths up on a tiny batch, resets the peak ({@link PeakRss#reset()}), samples P prompts × G
 * completions, writes the completions (one line of token ids each) to a file and prints one JSON line.
 *
 * <p>Memory, as the paper counts it (the whole sampling process's tensors: weights, KV caches, activations, and what
 * the allocator keeps for them; not the runtime, as {@code torch.cuda.max_memory_allocated} leaves out the CUDA
 * context): {@code mem_peak_mb} = weights + (peak RSS during sampling − RSS when sampling starts). The JVM, its JIT
 * and classes, and libtorch's thread pools are up before that, by the warm-up. {@code rss_peak_mb} is the whole
 * process's peak RSS (VmHWM) during sampling. On a CUDA device ({@link #DEVICE_PROPERTY}) {@code mem_peak_mb} is the
 * caching allocator's peak allocated bytes during sampling, weights included: {@code torch.cuda.max_memory_allocated}.
 */
public final class BenchGrpoWorker {
    private BenchGrpoWorker() {}

    /** System property naming the device the worker decodes on (default cpu). */
    static final String DEVICE_PROPERTY = "frugal.bench.device";

    private static Device device() {
        Device d = Device.parse(System.getProperty(DEVICE_PROPERTY, "cpu"));
        dev.frugal.tensor.Backend.requireDevice(d);
        return d;
    }

    /** args: mode model prompts G g L seed threads completionsFile [lengthsFile warmLengthsFile] */
    public static void main(String[] a) throws IOException {
        if (a[0].equals(TIMING)) {
            timing(a);
            return;
        }
        SamplingMode mode = SamplingMode.parse(a[0]);
        Path model = Path.of(a[1]);
        int prompts = Integer.parseInt(a[2]), g = Integer.parseInt(a[3]), micro = Integer.parseInt(a[4]);
        int len = Integer.parseInt(a[5]);
        long seed = Long.parseLong(a[6]);
        Threads.configure(Integer.parseInt(a[7]));
        Path out = Path.of(a[8]);
        int[] replay = a.length > 9 ? readInts(Path.of(a[9])) : null, warmLens = a.length > 10 ? readInts(Path.of(a[10])) : null;
        Tensors.zeros(1).close(); // libtorch up
        Device device = device();
        double base = PeakRss.currentMb();
        try (CausalLM m = Models.loadCausalLM(model, device); GradMode off = GradMode.off()) {
            long weightBytes = 0;
            for (var t : m.namedParameters().values()) weightBytes += t.nbytes();
            LengthPredictor pred = new LengthPredictor(1.0);
            SamplerConfig cfg = new SamplerConfig(mode, g, micro, 0, len, 1.0, 1.0, seed, CharVocab.EOS, 0.2);
            ObjectNode r = new ObjectMapper().createObjectNode();
            List<long[]> warm = prompts(seed + 17, 4 * prompts);
            if (mode == SamplingMode.INFINITE) { // fit the predictor on a warm-up batch of the same policy (not timed)
                int[] lens;
                if (warmLens != null) lens = warmLens;
                else {
                    var w = GroupSampler.sample(m, warm, cfg.withMode(SamplingMode.CONTINUOUS).withSeed(seed + 17), null);
                    lens = w.completions().stream().mapToInt(c -> c.tokens().length).toArray();
                }
                List<long[]> per = new ArrayList<>();
                for (int i = 0; i < lens.length; i++) per.add(warm.get(i / g));
                pred.observe(per, lens);
            }
            // warm-up of the code paths (classes, JIT, thread pools) on one prompt, two samples, three tokens
            GroupSampler.sample(m, warm.subList(0, 1), new SamplerConfig(SamplingMode.CONTINUOUS, 2, 1, 0, 3, 1.0, 1.0,
                    seed + 5, CharVocab.EOS, 0.2), null);
            if (device.isCuda()) {
                dev.frugal.tensor.Cuda.syncDevice(device);
                r.put("gpu_peak_reset", dev.frugal.tensor.Cuda.resetPeak(device));
            }
            boolean reset = PeakRss.reset();
            double start = PeakRss.currentMb();
            List<long[]> ps = prompts(seed, prompts);
            var res = replay == null ? GroupSampler.sample(m, ps, cfg, pred) : GroupSampler.replay(m, ps, cfg, pred, replay);
            double peak = PeakRss.peakMb();
            java.util.OptionalLong gpuPeak = java.util.OptionalLong.empty();
            if (device.isCuda()) {
                dev.frugal.tensor.Cuda.syncDevice(device);
                gpuPeak = dev.frugal.tensor.Cuda.peakAllocatedBytes(device);
            }
            var st = res.stats();
            r.put("mode", mode.optionName());
            r.put("slots", st.slots());
            r.put("rows", st.rows());
            r.put("decode_steps", st.decodeSteps());
            r.put("tokens", st.tokens());
            r.put("seconds", st.seconds());
            r.put("tokens_per_s", st.tokensPerSecond());
            r.put("kv_peak_mb", st.kvPeakBytes() / 1048576.0);
            r.put("weights_mb", weightBytes / 1048576.0);
            r.put("rss_base_mb", base);
            r.put("rss_start_mb", start);
            r.put("rss_peak_mb", peak);
            r.put("peak_reset", reset);
            if (device.isCuda()) { // the allocator's own peak, weights included; NaN when this libtorch cannot say
                r.put("device", device.toString());
                r.put("mem_peak_mb", gpuPeak.isPresent() ? gpuPeak.getAsLong() / 1048576.0 : Double.NaN);
            } else r.put("mem_peak_mb", reset ? weightBytes / 1048576.0 + peak - start : peak - base);
            r.put("grouping", st.grouping());
            if (mode == SamplingMode.INFINITE) {
                int[] lens = res.completions().stream().mapToInt(c -> c.tokens().length).toArray();
                LengthPredictor.Error e = LengthPredictor.error(st.predicted(), lens);
                r.put("predictor_mae", e.mae());
                r.put("predictor_spearman", e.spearman());
            }
            Files.write(out, res.completions().stream().map(BenchGrpoWorker::line).collect(Collectors.toList()));
            System.out.println(r);
        }
    }

    /** First argument that asks for the timing run instead of one sampler. */
    static final String TIMING = "timing";

    /** Rounds of the timing run. */
    static final int TIMING_ROUNDS = 3;

    /**
     * Throughput without the load drift between processes: micro, continuous and infinite take turns in one process,
     * {@link #TIMING_ROUNDS} rounds after a warm-up, and each mode's fastest round is reported ({@code seconds_*}).
     */
    private static void timing(String[] a) throws IOException {
        Path model = Path.of(a[1]);
        int prompts = Integer.parseInt(a[2]), g = Integer.parseInt(a[3]), micro = Integer.parseInt(a[4]);
        int len = Integer.parseInt(a[5]);
        long seed = Long.parseLong(a[6]);
        Threads.configure(Integer.parseInt(a[7]));
        int[] replay = a.length > 9 ? readInts(Path.of(a[9])) : null, warmLens = a.length > 10 ? readInts(Path.of(a[10])) : null;
        try (CausalLM m = Models.loadCausalLM(model, device()); GradMode off = GradMode.off()) {
            SamplerConfig cfg = new SamplerConfig(SamplingMode.MICRO, g, micro, 0, len, 1.0, 1.0, seed, CharVocab.EOS, 0.2);
            List<long[]> warm = prompts(seed + 17, 4 * prompts), ps = prompts(seed, prompts);
            LengthPredictor pred = new LengthPredictor(1.0);
            int[] lens = warmLens != null ? warmLens : GroupSampler.sample(m, warm, cfg.withMode(SamplingMode.CONTINUOUS)
                    .withSeed(seed + 17), null).completions().stream().mapToInt(c -> c.tokens().length).toArray();
            List<long[]> per = new ArrayList<>();
            for (int i = 0; i < lens.length; i++) per.add(warm.get(i / g));
            pred.observe(per, lens);
            List<SamplingMode> modes = List.of(SamplingMode.MICRO, SamplingMode.CONTINUOUS, SamplingMode.INFINITE);
            ObjectNode r = new ObjectMapper().createObjectNode();
            double[] best = new double[modes.size()];
            java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
            long[] tokens = new long[modes.size()];
            for (int round = -1; round < TIMING_ROUNDS; round++) // round −1: warm-up, not counted
                for (int k = 0; k < modes.size(); k++) {
                    SamplerConfig c = cfg.withMode(modes.get(k));
                    var res = replay == null ? GroupSampler.sample(m, ps, c, pred) : GroupSampler.replay(m, ps, c, pred, replay);
                    if (round >= 0) best[k] = Math.min(best[k], res.stats().seconds());
                    tokens[k] = res.stats().tokens();
                }
            r.put("mode", TIMING);
            r.put("rounds", TIMING_ROUNDS);
            for (int k = 0; k < modes.size(); k++) {
                r.put("seconds_" + modes.get(k).optionName(), best[k]);
                r.put("tokens_per_s_" + modes.get(k).optionName(), tokens[k] / best[k]);
            }
            System.out.println(r);
        }
    }

    static int[] readInts(Path f) throws IOException {
        return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).mapToInt(l -> Integer.parseInt(l.strip())).toArray();
    }

    static List<long[]> prompts(long seed, int n) {
        TaskFamily f = new TaskFamily(seed);
        List<long[]> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) ps.add(CharVocab.encodePrompt(f.next().prompt()));
        return ps;
    }

    private static String line(Completion c) {
        StringBuilder sb = new StringBuilder();
        for (long t : c.tokens()) sb.append(t).append(' ');
        return sb.toString().strip();
    }
}
