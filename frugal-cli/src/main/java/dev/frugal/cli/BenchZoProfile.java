package dev.frugal.cli;

import static dev.frugal.Stats.median;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.AttentionParts;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.LayerOps;
import dev.frugal.model.LmLoss;
import dev.frugal.model.MlpParts;
import dev.frugal.model.opt.OptConfig;
import dev.frugal.model.opt.OptModel;
import dev.frugal.model.opt.OptRandomInit;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.NativeMemory;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.tensor.Threads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One forward of {@code frugal bench zo}'s model, op by op: the time of each part of the forward (embedding, layer
 * norms, q/k/v projections, the attention core, the output projection, fc1, the activation, fc2, residual adds, the
 * tied LM head, the loss), exclusive of the parts inside it, summed over the blocks, as the median over the profiled
 * forwards. Its peer, {@code bench/peers/forward_profile.py}, times the same parts of PyTorch's forward the same way
 * (and lists its ATen ops from {@code torch.autograd.profiler}), so {@code frugal bench zo --profile} can print them
 * side by side. Prints one JSON object: {@code {"side":"frugal","forward_s":..,"parts_ms":{..},...}}.
 *
 * <p>Usage: {@code BenchZoProfile SIZE FORWARDS WARMUP THREADS [MALLOC]} (MALLOC as {@link BenchZoWorker}'s; by
 * default the in-memory engine's, {@code reuse}).
 */
public final class BenchZoProfile {
    /** The parts, in forward order (the keys of {@code parts_ms}, the same as the peer's). */
    static final String[] PARTS = {"embedding", "layer_norm", "qkv_proj", "attention_core", "out_proj", "fc1",
            "activation", "fc2", "residual_add", "lm_head", "loss"};

    private BenchZoProfile() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5)
            throw new IllegalArgumentException("usage: BenchZoProfile SIZE FORWARDS WARMUP THREADS [MALLOC]");
        BenchZoShape shape = BenchZoShape.named(args[0]);
        int forwards = Integer.parseInt(args[1]), warmup = Integer.parseInt(args[2]), threads = Integer.parseInt(args[3]);
        Threads.configure(threads);
        BenchZoWorker.malloc(args.length == 5 ? args[4] : "engine", true);
        OptConfig cfg = shape.config(1);
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("side", "frugal");
        out.put("size", shape.name());
        out.put("threads", threads);
        out.put("malloc", NativeMemory.policy().name().toLowerCase(java.util.Locale.ROOT));
        try (OptModel m = OptRandomInit.model(cfg, BenchZoWorker.MODEL_SEED, Device.CPU); Scope s = Scope.open();
             Rng data = Rng.seeded("bench-data", 7)) {
            Tensor ids = Tensors.randint(0, cfg.vocabSize(), data, shape.batch(), shape.tokens()); // (B, T)
            Map<String, List<Double>> perForward = new LinkedHashMap<>();
            for (String p : PARTS) perForward.put(p, new ArrayList<>());
            List<Double> total = new ArrayList<>();
            for (int f = 0; f < warmup + forwards; f++) {
                Timer timer = new Timer();
                long t0 = System.nanoTime();
                forward(m, ids, timer);
                long t = System.nanoTime() - t0;
                if (f < warmup) continue;
                total.add(t / 1e9);
                for (String p : PARTS) perForward.get(p).add(timer.ms(p));
            }
            out.put("forward_s", median(total));
            ObjectNode parts = out.putObject("parts_ms");
            for (String p : PARTS) parts.put(p, Math.round(median(perForward.get(p)) * 100) / 100.0);
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    /** One forward and loss, every part timed (blocks in their own scopes, as the engine's pass); returns the loss. */
    static double forward(OptModel m, Tensor ids, Timer timer) {
        LayerOps ops = new TimingOps(timer);
        try (GradMode g = GradMode.off(); Scope s = Scope.open()) {
            ForwardContext ctx = m.context(ids, null, null, ops);
            Tensor h = timer.time("embedding", () -> m.embed(ids, ctx)).keep();
            for (int i = 0; i < m.blockParams().size(); i++) {
                try (Scope bs = Scope.open()) {
                    Tensor hi = h;
                    int layer = i;
                    Tensor next = timer.time("residual_add", () -> m.block(layer, hi, ctx)).keep();
                    h.close();
                    h = next;
                }
            }
            Tensor hf = h;
            Tensor logits = timer.time("lm_head", () -> m.head(hf, ctx));
            return timer.time("loss", () -> LmLoss.causal(logits, ids).itemDouble());
        }
    }

    /**
     * Exclusive times per part: a timed region's time minus the regions timed inside it (libtorch's CPU ops return
     * when their result is computed, so wall time per call is the op's time).
     */
    static final class Timer {
        private final Map<String, Long> exclusive = new LinkedHashMap<>();
        private final Deque<long[]> children = new ArrayDeque<>(); // per open region: nanos spent in nested regions

        <T> T time(String part, Supplier<T> f) {
            children.push(new long[1]);
            long t0 = System.nanoTime();
            try {
                return f.get();
            } finally {
                long t = System.nanoTime() - t0, inner = children.pop()[0];
                exclusive.merge(part, t - inner, Long::sum);
                if (!children.isEmpty()) children.peek()[0] += t;
            }
        }

        double ms(String part) { return exclusive.getOrDefault(part, 0L) / 1e6; }

        /** The parts timed (a part outside {@link #PARTS} would be a naming mistake). */
        java.util.Set<String> parts() { return exclusive.keySet(); }
    }

    /** The plain ops, each call timed under its part. */
    private record TimingOps(Timer timer) implements LayerOps {
        @Override
        public Tensor linear(String module, Tensor x, Tensor w, Tensor b) {
            String part = module.endsWith("q_proj") || module.endsWith("k_proj") || module.endsWith("v_proj") ? "qkv_proj"
                    : module.endsWith("out_proj") ? "out_proj" : module.endsWith("fc1") ? "fc1"
                    : module.endsWith("fc2") ? "fc2" : module.equals("lm_head") ? "lm_head" : "linear_other";
            return timer.time(part, () -> LayerOps.super.linear(module, x, w, b));
        }

        @Override
        public Tensor layerNorm(String module, Tensor x, Tensor w, Tensor b, double eps) {
            return timer.time("layer_norm", () -> LayerOps.super.layerNorm(module, x, w, b, eps));
        }

        @Override
        public Tensor attention(AttentionParts parts, Tensor residual) {
            return timer.time("attention_core", () -> LayerOps.super.attention(parts, residual));
        }

        @Override
        public Tensor mlp(MlpParts parts, Tensor residual) {
            return timer.time("activation", () -> LayerOps.super.mlp(parts, residual));
        }
    }
}
