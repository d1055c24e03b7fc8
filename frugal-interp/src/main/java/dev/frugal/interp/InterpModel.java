package dev.frugal.interp;

import dev.frugal.io.Checkpoint;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.CheckpointMismatchException;
import dev.frugal.model.HfConfig;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GPT-2-layout decoder held as named float32 parameters ({@code transformer.wte.weight}, {@code
 * transformer.h.N.attn.c_attn.weight}, …, Conv1D weights stored {@code (in, out)}), with the plain forward used for
 * training and as the reference for the edge-decomposed {@link PatchedForward}. Saved and loaded as a Hugging Face
 * directory (config.json + model.safetensors), so a real GPT-2 checkpoint loads too.
 */
public final class InterpModel implements AutoCloseable {
    static final String P = "transformer.";
    static final String LM_HEAD = "lm_head.weight";
    private final InterpConfig cfg;
    private final LinkedHashMap<String, Tensor> params;

    private InterpModel(InterpConfig cfg, LinkedHashMap<String, Tensor> params) {
        this.cfg = cfg;
        this.params = params;
    }

    public InterpConfig config() { return cfg; }

    /** Every parameter in GPT-2 {@code named_parameters()} order. */
    public Map<String, Tensor> parameters() { return java.util.Collections.unmodifiableMap(params); }

    /** The tensor of {@code name}. */
    public Tensor p(String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalArgumentException("model has no parameter '" + name + "'");
        return t;
    }

    /** Every parameter with its shape, in GPT-2 order (tied head once). */
    public static LinkedHashMap<String, long[]> expectedShapes(InterpConfig c) {
        LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
        long d = c.dModel();
        s.put(P + "wte.weight", new long[] {c.vocabSize(), d});
        s.put(P + "wpe.weight", new long[] {c.maxPositions(), d});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "h." + i + ".";
            if (c.layerNorm()) norm(s, l + "ln_1", d);
            conv(s, l + "attn.c_attn", d, 3 * d);
            conv(s, l + "attn.c_proj", d, d);
            if (c.mlp()) {
                if (c.layerNorm()) norm(s, l + "ln_2", d);
                conv(s, l + "mlp.c_fc", d, c.mlpDim());
                conv(s, l + "mlp.c_proj", c.mlpDim(), d);
            }
        }
        if (c.layerNorm()) norm(s, P + "ln_f", d);
        if (!c.tiedHead()) s.put(LM_HEAD, new long[] {c.vocabSize(), d});
        return s;
    }

    private static void conv(Map<String, long[]> s, String n, long in, long out) {
        s.put(n + ".weight", new long[] {in, out});
        s.put(n + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> s, String n, long d) {
        s.put(n + ".weight", new long[] {d});
        s.put(n + ".bias", new long[] {d});
    }

    /** GPT-2's initialisation: weights N(0, 0.02), biases 0, LayerNorm gains 1; seeded by {@code rng}. */
    public static InterpModel init(InterpConfig c, Rng rng) {
        LinkedHashMap<String, Tensor> ps = new LinkedHashMap<>();
        for (var e : expectedShapes(c).entrySet()) {
            String n = e.getKey();
            Tensor t;
            if (n.contains(".ln_")) t = n.endsWith(".weight") ? Tensors.ones(e.getValue()) : Tensors.zeros(e.getValue());
            else if (n.endsWith(".bias")) t = Tensors.zeros(e.getValue());
            else t = Tensors.randn(rng, e.getValue()).mul(0.02);
            ps.put(n, t.keep());
        }
        return new InterpModel(c, ps);
    }

    /** Builds a model from explicit tensors (the hand-built planted model); shapes are checked. */
    public static InterpModel of(InterpConfig c, Map<String, Tensor> tensors) {
        LinkedHashMap<String, Tensor> ps = new LinkedHashMap<>();
        for (var e : expectedShapes(c).entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) throw new IllegalArgumentException("missing parameter " + e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) throw new IllegalArgumentException(e.getKey() + " must be "
                    + Arrays.toString(e.getValue()) + ", got " + Arrays.toString(t.shape()));
            ps.put(e.getKey(), t.to(DType.F32).contiguous().keep());
        }
        return new InterpModel(c, ps);
    }

    /**
     * Loads a GPT-2-layout directory (config.json + safetensors). Names with or without the {@code transformer.}
     * prefix load; the causal-mask buffers of old checkpoints are ignored.
     *
     * @throws CheckpointMismatchException when a tensor is missing or misshaped
     */
    public static InterpModel load(Path dir) {
        InterpConfig c = InterpConfig.from(HfConfig.read(dir));
        LinkedHashMap<String, Tensor> ps = new LinkedHashMap<>();
        try (Checkpoint ck = Checkpoint.open(dir)) {
            for (var e : expectedShapes(c).entrySet()) {
                String n = e.getKey();
                String stored = ck.contains(n) || !n.startsWith(P) ? n : n.substring(P.length());
                if (!ck.contains(stored)) throw new CheckpointMismatchException(dir, "has no tensor '" + n + "'");
                Tensor t = ck.tensor(stored, DType.F32);
                if (!Arrays.equals(t.shape(), e.getValue())) throw new CheckpointMismatchException(dir, "'" + n
                        + "' is " + Arrays.toString(t.shape()) + ", the config needs " + Arrays.toString(e.getValue()));
                ps.put(n, t.contiguous().keep());
            }
        }
        return new InterpModel(c, ps);
    }

    /** Writes config.json and model.safetensors into {@code dir}. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            cfg.toHf(dir).writeTo(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
        SafetensorsWriter.write(dir.resolve(Checkpoint.SINGLE), params, Map.of("format", "pt"));
    }

    /** Plain forward, autograd-friendly: ids {@code (B, T)} → logits {@code (B, T, V)}. */
    public Tensor logits(Tensor ids) {
        long b = ids.size(0), t = ids.size(1), d = cfg.dModel();
        int h = cfg.numHeads(), hd = cfg.headDim();
        Tensor pos = Tensors.arange(t, ids.device()).view(1, t).expand(b, t);
        Tensor x = NN.embedding(p(P + "wte.weight"), ids).add(NN.embedding(p(P + "wpe.weight"), pos)); // (B, T, C)
        for (int i = 0; i < cfg.numLayers(); i++) {
            String l = P + "h." + i + ".";
            Tensor a = norm(l + "ln_1", x);
            Tensor qkv = conv(l + "attn.c_attn", a); // (B, T, 3C)
            Tensor q = qkv.narrow(2, 0, d).view(b, t, h, hd).transpose(1, 2); // (B, H, T, D)
            Tensor k = qkv.narrow(2, d, d).view(b, t, h, hd).transpose(1, 2);
            Tensor v = qkv.narrow(2, 2 * d, d).view(b, t, h, hd).transpose(1, 2);
            Tensor z = NN.attention(q, k, v, null, true, 1.0 / Math.sqrt(hd), false); // (B, H, T, D)
            x = x.add(conv(l + "attn.c_proj", z.transpose(1, 2).reshape(b, t, d)));
            if (cfg.mlp()) x = x.add(conv(l + "mlp.c_proj", NN.geluTanh(conv(l + "mlp.c_fc", norm(l + "ln_2", x)))));
        }
        return NN.linear(norm(P + "ln_f", x), unembedding(), null);
    }

    /** The LM head {@code (V, C)}: {@code wte} when tied. */
    public Tensor unembedding() { return cfg.tiedHead() ? p(P + "wte.weight") : p(LM_HEAD); }

    private Tensor conv(String n, Tensor x) { return NN.linear(x, p(n + ".weight").t(), p(n + ".bias")); }

    private Tensor norm(String n, Tensor x) {
        return cfg.layerNorm() ? NN.layerNorm(x, p(n + ".weight"), p(n + ".bias"), cfg.layerNormEps()) : x;
    }

    @Override
    public void close() {
        for (Tensor t : params.values()) if (!t.isFreed()) t.close();
        params.clear();
    }
}
