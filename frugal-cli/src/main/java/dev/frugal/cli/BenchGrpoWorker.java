package dev.frugal.cli;

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
 * model, samples P prompts × G completions, writes the completions (one line of token ids each) to a file and prints
 * one JSON line. Memory: {@code mem_peak_mb} = peak RSS (VmHWM) − RSS after libtorch is up and before the model loads,
 * so weights, KV caches and activations count and the JVM/libtorch runtime does not (the heap is pre-touched).
 */
public final class BenchGrpoWorker {
    private BenchGrpoWorker() {}

    /** args: mode model prompts G g L seed threads completionsFile */
    public static void main(String[] a) throws IOException {
        SamplingMode mode = SamplingMode.parse(a[0]);
        Path model = Path.of(a[1]);
        int prompts = Integer.parseInt(a[2]), g = Integer.parseInt(a[3]), micro = Integer.parseInt(a[4]);
        int len = Integer.parseInt(a[5]);
        long seed = Long.parseLong(a[6]);
        Threads.configure(Integer.parseInt(a[7]));
        Path out = Path.of(a[8]);
        Tensors.zeros(1).close(); // libtorch up
        double base = PeakRss.currentMb();
        try (CausalLM m = Models.loadCausalLM(model, Device.CPU); GradMode off = GradMode.off()) {
            LengthPredictor pred = new LengthPredictor(1.0);
            SamplerConfig cfg = new SamplerConfig(mode, g, micro, 0, len, 1.0, 1.0, seed, CharVocab.EOS, 0.2);
            ObjectNode r = new ObjectMapper().createObjectNode();
            if (mode == SamplingMode.INFINITE) { // fit the predictor on a warm-up batch of the same policy (not timed)
                List<long[]> warm = prompts(seed + 17, 4 * prompts);
                var w = GroupSampler.sample(m, warm, cfg.withMode(SamplingMode.CONTINUOUS).withSeed(seed + 17), null);
                List<long[]> per = new ArrayList<>();
                int[] lens = new int[w.completions().size()];
                for (int i = 0; i < lens.length; i++) {
                    per.add(warm.get(w.completions().get(i).prompt()));
                    lens[i] = w.completions().get(i).tokens().length;
                }
                pred.observe(per, lens);
            }
            List<long[]> ps = prompts(seed, prompts);
            var res = GroupSampler.sample(m, ps, cfg, pred);
            var st = res.stats();
            r.put("mode", mode.optionName());
            r.put("slots", st.slots());
            r.put("rows", st.rows());
            r.put("decode_steps", st.decodeSteps());
            r.put("tokens", st.tokens());
            r.put("seconds", st.seconds());
            r.put("tokens_per_s", st.tokensPerSecond());
            r.put("kv_peak_mb", st.kvPeakBytes() / 1048576.0);
            r.put("rss_base_mb", base);
            r.put("rss_peak_mb", PeakRss.peakMb());
            r.put("mem_peak_mb", PeakRss.peakMb() - base);
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
