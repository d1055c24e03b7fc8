package dev.frugal.model.gpt2;

import dev.frugal.io.Checkpoint;
import dev.frugal.model.AbstractStagedModel;
import dev.frugal.model.BlockParts;
import dev.frugal.model.CausalLM;
import dev.frugal.model.CheckpointMismatchException;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.HfConfig;
import dev.frugal.model.LayerOps;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.WeightLoader;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * GPT-2 ({@code GPT2LMHeadModel}, Radford et al. 2019): learned absolute positions, pre-LayerNorm blocks whose
 * projections are {@code Conv1D}s (weight stored {@code (in, out)}, the transpose of {@code nn.Linear}), one fused
 * {@code c_attn} producing q, k and v, a final {@code ln_f}, and an LM head tied to {@code wte} (or an untied
 * {@code lm_head.weight}).
 *
 * <p>Checkpoints may name parameters with the {@code transformer.} prefix ({@code GPT2LMHeadModel.save_pretrained})
 * or without it (the original {@code gpt2} repositories, {@code GPT2Model}); both load, and the causal-mask buffers
 * {@code h.N.attn.bias} / {@code h.N.attn.masked_bias} that old checkpoints carry are ignored. The model always
 * names (and saves) its parameters in the {@code GPT2LMHeadModel} layout.
 */
public final class Gpt2Model extends AbstractStagedModel<Gpt2Config> implements CausalLM {
    private static final String P = "transformer.";
    private static final String LM_HEAD = "lm_head.weight";
    /** Non-parameter buffers of old checkpoints: the causal mask and its fill value. */
    private static final Pattern BUFFER = Pattern.compile("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");


    private Gpt2Model(Gpt2Config cfg, Device device) {
        super(cfg, device, expectedShapes(cfg).keySet());
    }

    /**
     * Loads {@code dir} (config.json + safetensors) onto {@code device}.
     *
     * @throws dev.frugal.model.ConfigException when config.json is missing fields or inconsistent
     * @throws CheckpointMismatchException      when the tensors do not fit the config
     */
    public static Gpt2Model load(Path dir, Device device) {
        Gpt2Config cfg = Gpt2Config.from(HfConfig.read(dir));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return load(cfg, ckpt, device);
        }
    }

    static Gpt2Model load(Gpt2Config cfg, Checkpoint ckpt, Device device) {
        UnaryOperator<String> stored = storedNames(ckpt);
        WeightLoader w = verified(cfg, ckpt, device, stored);
        Gpt2Model m = new Gpt2Model(cfg, device);
        try {
            for (String n : expectedShapes(cfg).keySet()) w.load(m.groupOf(n), stored.apply(n), n);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * {@link dev.frugal.model.Models#loadCausalLMStreaming}: the embeddings and final norm loaded on the CPU, the blocks
     * left in {@code ckpt} (verified as by {@link #load}) for a source that reads them one block at a time.
     */
    public static dev.frugal.model.Models.Streamed loadStreaming(HfConfig hf, Checkpoint ckpt) {
        Gpt2Config cfg = Gpt2Config.from(hf);
        UnaryOperator<String> stored = storedNames(ckpt);
        WeightLoader w = verified(cfg, ckpt, Device.CPU, stored);
        Gpt2Model m = new Gpt2Model(cfg, Device.CPU);
        return w.streamed(m, expectedShapes(cfg), m::groupOf, stored);
    }

    /** A loader of {@code ckpt} whose names (as {@code stored} maps them) and shapes were checked against {@code cfg}. */
    private static WeightLoader verified(Gpt2Config cfg, Checkpoint ckpt, Device device, UnaryOperator<String> stored) {
        Map<String, long[]> storedShapes = new LinkedHashMap<>(); // the expected shapes under the checkpoint's names
        expectedShapes(cfg).forEach((n, s) -> storedShapes.put(stored.apply(n), s));
        WeightLoader w = new WeightLoader(ckpt, device);
        w.verify(storedShapes, cfg.tieWordEmbeddings() ? Set.of(LM_HEAD) : Set.of(), n -> BUFFER.matcher(n).matches());
        return w;
    }

    /**
     * Canonical ({@code transformer.}-prefixed) name → the name the checkpoint stores it under. A name absent from the
     * checkpoint maps to the checkpoint's prevailing style, so that a "missing" report names what the file lacks.
     */
    private static UnaryOperator<String> storedNames(Checkpoint ckpt) {
        Map<String, String> m = new HashMap<>();
        for (String n : ckpt.names()) {
            String prev = m.put(canonical(n), n);
            if (prev != null) throw new CheckpointMismatchException(ckpt.dir(), "holds both '" + prev + "' and '" + n
                    + "', the same GPT-2 parameter with and without the 'transformer.' prefix: keep one of them");
        }
        boolean prefixed = ckpt.contains(P + "wte.weight") || !ckpt.contains("wte.weight");
        return n -> m.getOrDefault(n, prefixed || !n.startsWith(P) ? n : n.substring(P.length()));
    }

    /** GPT-2 checkpoints may store the {@code transformer.}-prefixed names without the prefix. */
    @Override
    public String storedName(Checkpoint ckpt, String param) { return storedNames(ckpt).apply(param); }

    /** The {@code GPT2LMHeadModel} name of a checkpoint tensor name. */
    static String canonical(String stored) {
        return stored.startsWith(P) || stored.equals(LM_HEAD) ? stored : P + stored;
    }

    /** Every parameter with its shape, in Hugging Face {@code named_parameters()} order (tied head once). */
    static Map<String, long[]> expectedShapes(Gpt2Config c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = c.hiddenSize(), f = c.innerDim();
        s.put(P + "wte.weight", new long[] {c.vocabSize(), h});
        s.put(P + "wpe.weight", new long[] {c.maxPositions(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "h." + i + ".";
            norm(s, l + "ln_1", h);
            conv1d(s, l + "attn.c_attn", h, 3 * h);
            conv1d(s, l + "attn.c_proj", h, h);
            norm(s, l + "ln_2", h);
            conv1d(s, l + "mlp.c_fc", h, f);
            conv1d(s, l + "mlp.c_proj", f, h);
        }
        norm(s, P + "ln_f", h);
        if (!c.tieWordEmbeddings()) s.put(LM_HEAD, new long[] {c.vocabSize(), h});
        return s;
    }

    /** Conv1D: weight {@code (in, out)}, bias {@code (out)}. */
    private static void conv1d(Map<String, long[]> s, String name, long in, long out) {
        s.put(name + ".weight", new long[] {in, out});
        s.put(name + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> s, String name, long h) {
        s.put(name + ".weight", new long[] {h});
        s.put(name + ".bias", new long[] {h});
    }

    private ParamGroup groupOf(String name) {
        String blockPrefix = P + "h.";
        if (name.startsWith(blockPrefix))
            return blocks.get(Integer.parseInt(name.substring(blockPrefix.length(), name.indexOf('.', blockPrefix.length()))));
        if (name.startsWith(P + "wte.") || name.startsWith(P + "wpe.")) return embedding;
        return head; // ln_f, lm_head
    }

    /**
     * {@code wte(ids) + wpe(positions)} with positions {@code past..past+T-1} for every row, padding or not: Hugging
     * Face's {@code GPT2Model.forward} takes {@code position_ids = cache_position} unless they are given.
     */
    @Override
    public Tensor embed(Tensor ids, ForwardContext ctx) {
        long end = ctx.past() + ctx.newTokens();
        if (end > cfg.maxPositions()) throw new IllegalArgumentException("positions up to " + end + " exceed GPT-2's "
                + cfg.maxPositions() + " learned positions (n_positions): shorten the input");
        LayerOps ops = ctx.ops();
        Tensor x = ops.embedding(P + "wte", embedding.get(P + "wte.weight"), ids); // (B, T, C)
        Tensor pos = ctx.positionsArange(); // (B, T)
        return x.add(ops.embedding(P + "wpe", embedding.get(P + "wpe.weight"), pos));
    }

    /** {@code h + attn(ln_1(h))}, then {@code h + mlp(ln_2(h))}: (B, T, C) → (B, T, C). */
    @Override
    public Tensor block(int layer, Tensor h, ForwardContext ctx) {
        ParamGroup g = blocks.get(layer);
        String l = P + "h." + layer + ".";
        LayerOps ops = ctx.ops();
        h = ops.residual(layer, h);
        h = h.add(ops.attention(new Attention(layer, g, l, ctx), h));
        return h.add(ops.mlp(new Mlp(layer, g, l, ops), h));
    }

    /** {@code c_proj(act(c_fc(ln_2(h))))}. */
    private final class Mlp extends BlockParts.Mlp {
        Mlp(int layer, ParamGroup g, String l, LayerOps ops) { super(layer, g, l, ops); }

        @Override
        public Tensor norm(Tensor h) { return Gpt2Model.this.norm(ops, g, prefix + "ln_2", h); }

        @Override
        public Tensor apply(Tensor x) {
            Tensor m = conv1d(ops, g, prefix + "mlp.c_fc", x); // (B, T, F)
            return conv1d(ops, g, prefix + "mlp.c_proj", cfg.activation().apply(m));
        }
    }

    /**
     * Causal self-attention of {@code ln_1(h)}: (B, T, C) → (B, T, C). {@code c_attn}'s weight {@code (C, 3C)} holds q, k
     * and v side by side, head h of each at columns {@code h·D .. h·D+D}; {@code c_proj}'s weight {@code (H·D, C)}
     * reads head h from rows {@code h·D ..}.
     */
    private final class Attention extends BlockParts.Attention {
        Attention(int layer, ParamGroup g, String l, ForwardContext ctx) {
            super(layer, g, l, ctx, cfg.numHeads(), cfg.numHeads(), cfg.headDim(), cfg.attentionScale(layer));
        }

        @Override
        public Tensor norm(Tensor h) { return Gpt2Model.this.norm(ctx.ops(), g, prefix + "ln_1", h); }

        @Override
        public Tensor[] project(Tensor x) {
            long b = x.size(0), t = x.size(1), c = cfg.hiddenSize();
            int nh = cfg.numHeads(), hd = cfg.headDim();
            Tensor qkv = conv1d(ctx.ops(), g, prefix + "attn.c_attn", x); // (B, T, 3C): q | k | v along the last dim
            Tensor q = qkv.narrow(2, 0, c).view(b, t, nh, hd).transpose(1, 2); // (B, H, T, D)
            Tensor k = qkv.narrow(2, c, c).view(b, t, nh, hd).transpose(1, 2);
            Tensor v = qkv.narrow(2, 2 * c, c).view(b, t, nh, hd).transpose(1, 2);
            return new Tensor[] {q, k, v};
        }

        @Override
        public Tensor projectHead(Role role, int head, Tensor x) {
            long off = role.ordinal() * (long) cfg.hiddenSize() + (long) head * cfg.headDim(), hd = cfg.headDim();
            Tensor w = g.get(prefix + "attn.c_attn.weight").narrow(1, off, hd); // (C, D)
            return NN.linear(x, w.t(), g.get(prefix + "attn.c_attn.bias").narrow(0, off, hd)); // (B, T, D)
        }

        @Override
        public Tensor output(Tensor z) {
            return conv1d(ctx.ops(), g, prefix + "attn.c_proj", z.reshape(z.size(0), z.size(1), cfg.hiddenSize()));
        }

        @Override
        public Tensor outputHead(int head, Tensor zh) {
            long hd = cfg.headDim();
            return zh.matmul(g.get(prefix + "attn.c_proj.weight").narrow(0, head * hd, hd)); // (B, T, D) @ (D, C)
        }
    }

    /** {@code ln_f}, then the LM head: (B, T, C) → logits (B, T, V). */
    @Override
    public Tensor head(Tensor h, ForwardContext ctx) {
        LayerOps ops = ctx.ops();
        h = norm(ops, head, P + "ln_f", ops.residual(cfg.numLayers(), h));
        Tensor w = cfg.tieWordEmbeddings() ? embedding.get(P + "wte.weight") : head.get(LM_HEAD); // (V, C)
        return ops.linear("lm_head", h, w, null);
    }

    private static Tensor conv1d(LayerOps ops, ParamGroup g, String name, Tensor x) {
        return ops.conv1d(name, x, g.get(name + ".weight"), g.get(name + ".bias"));
    }

    private Tensor norm(LayerOps ops, ParamGroup g, String name, Tensor x) {
        return ops.layerNorm(name, x, g.get(name + ".weight"), g.get(name + ".bias"), cfg.layerNormEps());
    }
}
