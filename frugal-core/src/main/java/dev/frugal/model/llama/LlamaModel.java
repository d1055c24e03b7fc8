package dev.frugal.model.llama;

import dev.frugal.io.Checkpoint;
import dev.frugal.model.AbstractStagedModel;
import dev.frugal.model.BlockParts;
import dev.frugal.model.CausalLM;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.HfConfig;
import dev.frugal.model.LayerOps;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.WeightLoader;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Llama ({@code LlamaForCausalLM}) and Qwen3 ({@code Qwen3ForCausalLM}): pre-RMSNorm blocks with rotary
 * grouped-query attention and a SwiGLU MLP, {@code down(silu(gate(x)) · up(x))}; Qwen3 adds a per-head RMSNorm on
 * queries and keys before RoPE. Positions are {@code past..past+T-1} (Hugging Face's default {@code cache_position}),
 * not derived from the padding mask. The LM head may be tied to the token embedding.
 */
public final class LlamaModel extends AbstractStagedModel<LlamaConfig> implements CausalLM {
    private static final String P = "model.";

    private LlamaModel(LlamaConfig cfg, Device device) {
        super(cfg, device, expectedShapes(cfg).keySet());
    }

    /** Loads {@code dir} (config.json + safetensors) onto {@code device}. */
    public static LlamaModel load(Path dir, Device device) {
        LlamaConfig cfg = LlamaConfig.from(HfConfig.read(dir));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return load(cfg, ckpt, device);
        }
    }

    static LlamaModel load(LlamaConfig cfg, Checkpoint ckpt, Device device) {
        WeightLoader w = verified(cfg, ckpt, device);
        LlamaModel m = new LlamaModel(cfg, device);
        for (String n : expectedShapes(cfg).keySet()) w.load(m.groupOf(n), n);
        return m;
    }

    /**
     * {@link dev.frugal.model.Models#loadCausalLMStreaming}: the embedding, final norm and head loaded on the CPU, the
     * blocks left in {@code ckpt} (verified as by {@link #load}) for a source that reads them one block at a time.
     */
    public static dev.frugal.model.Models.Streamed loadStreaming(HfConfig hf, Checkpoint ckpt) {
        LlamaConfig cfg = LlamaConfig.from(hf);
        WeightLoader w = verified(cfg, ckpt, Device.CPU);
        LlamaModel m = new LlamaModel(cfg, Device.CPU);
        return w.streamed(m, expectedShapes(cfg), m::groupOf, n -> n);
    }

    /** A loader of {@code ckpt} whose names and shapes were checked against {@code cfg}. */
    private static WeightLoader verified(LlamaConfig cfg, Checkpoint ckpt, Device device) {
        WeightLoader w = new WeightLoader(ckpt, device);
        // older exports saved the rotary inv_freq buffer; it is recomputed here
        w.verify(expectedShapes(cfg), cfg.tieWordEmbeddings() ? Set.of("lm_head.weight") : Set.of(),
                n -> n.endsWith(".rotary_emb.inv_freq"));
        return w;
    }

    /**
     * Every parameter with its shape, in Hugging Face {@code named_parameters()} order: registration order of
     * {@code LlamaAttention} / {@code Qwen3Attention} (q, k, v, o, then q_norm, k_norm), MLP (gate, up, down), then the
     * two block norms; the tied head appears once, as the embedding.
     */
    static Map<String, long[]> expectedShapes(LlamaConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = c.hiddenSize(), f = c.intermediateSize(), d = c.headDim();
        long q = c.numHeads() * d, kv = c.numKvHeads() * d;
        s.put(P + "embed_tokens.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "layers." + i + ".";
            linear(s, l + "self_attn.q_proj", q, h, c.attentionBias());
            linear(s, l + "self_attn.k_proj", kv, h, c.attentionBias());
            linear(s, l + "self_attn.v_proj", kv, h, c.attentionBias());
            linear(s, l + "self_attn.o_proj", h, q, c.attentionBias());
            if (c.qkNorm()) {
                s.put(l + "self_attn.q_norm.weight", new long[] {d});
                s.put(l + "self_attn.k_norm.weight", new long[] {d});
            }
            linear(s, l + "mlp.gate_proj", f, h, c.mlpBias());
            linear(s, l + "mlp.up_proj", f, h, c.mlpBias());
            linear(s, l + "mlp.down_proj", h, f, c.mlpBias());
            s.put(l + "input_layernorm.weight", new long[] {h});
            s.put(l + "post_attention_layernorm.weight", new long[] {h});
        }
        s.put(P + "norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) s.put("lm_head.weight", new long[] {c.vocabSize(), h});
        return s;
    }

    private static void linear(Map<String, long[]> s, String name, long out, long in, boolean bias) {
        s.put(name + ".weight", new long[] {out, in});
        if (bias) s.put(name + ".bias", new long[] {out});
    }

    private ParamGroup groupOf(String name) {
        String layers = P + "layers.";
        if (name.startsWith(layers)) return blocks.get(Integer.parseInt(name.substring(layers.length(),
                name.indexOf('.', layers.length()))));
        if (name.startsWith(P + "embed_tokens")) return embedding;
        return head; // model.norm, lm_head
    }

    @Override
    public Tensor embed(Tensor ids, ForwardContext ctx) {
        return ctx.ops().embedding(P + "embed_tokens", embedding.get(P + "embed_tokens.weight"), ids); // (B, T, C)
    }

    @Override
    public Tensor block(int layer, Tensor h, ForwardContext ctx) {
        ParamGroup g = blocks.get(layer);
        String l = P + "layers." + layer + ".";
        LayerOps ops = ctx.ops();
        h = ops.residual(layer, h);
        h = h.add(ops.attention(new Attention(layer, g, l, ctx), h)); // (B, T, C)
        return h.add(ops.mlp(new Mlp(layer, g, l, ops), h));
    }

    /** SwiGLU (Shazeer, arXiv 2002.05202, eq. 6 with Swish₁ = SiLU): {@code down(silu(gate(x)) · up(x))}. */
    private final class Mlp extends BlockParts.Mlp {
        Mlp(int layer, ParamGroup g, String l, LayerOps ops) { super(layer, g, l, ops); }

        @Override
        public Tensor norm(Tensor h) { return LlamaModel.this.norm(ops, g, prefix + "post_attention_layernorm", h); }

        @Override
        public Tensor apply(Tensor x) {
            String m = prefix + "mlp.";
            Tensor gate = NN.silu(linear(ops, g, m + "gate_proj", x, cfg.mlpBias())); // (B, T, F)
            Tensor up = linear(ops, g, m + "up_proj", x, cfg.mlpBias());             // (B, T, F)
            return linear(ops, g, m + "down_proj", gate.mul(up), cfg.mlpBias());     // (B, T, C)
        }
    }

    /**
     * Rotary grouped-query self-attention of {@code input_layernorm(h)}: {@code (B, T, C)} → {@code (B, T, C)}. Query
     * head h reads key/value head {@code h / (H / H_kv)}; projections hold head h at rows {@code h·D .. h·D+D}
     * ({@code o_proj}: columns).
     */
    private final class Attention extends BlockParts.Attention {
        private final String a;
        private Tensor[] cosSin; // (B, T, D) each, made once per block call

        Attention(int layer, ParamGroup g, String l, ForwardContext ctx) {
            super(layer, g, l, ctx, cfg.numHeads(), cfg.numKvHeads(), cfg.headDim(), Math.pow(cfg.headDim(), -0.5));
            this.a = l + "self_attn.";
        }

        @Override
        public Tensor norm(Tensor h) { return LlamaModel.this.norm(ctx.ops(), g, prefix + "input_layernorm", h); }

        private Tensor[] cosSin(long batch) {
            if (cosSin == null || cosSin[0].size(0) != batch) {
                Tensor pos = ctx.positionsArange(); // (B, T)
                if (pos.size(0) != batch) pos = pos.narrow(0, 0, 1).expand(batch, pos.size(1));
                cosSin = RotaryEmbedding.cosSin(cfg.rope(), cfg.headDim(), pos);
            }
            return cosSin;
        }

        @Override
        public Tensor[] project(Tensor x) {
            long b = x.size(0), t = x.size(1);
            int nh = cfg.numHeads(), nkv = cfg.numKvHeads(), hd = cfg.headDim();
            LayerOps ops = ctx.ops();
            Tensor q = linear(ops, g, a + "q_proj", x, cfg.attentionBias()).view(b, t, nh, hd);  // (B, T, H, D)
            Tensor k = linear(ops, g, a + "k_proj", x, cfg.attentionBias()).view(b, t, nkv, hd); // (B, T, Hkv, D)
            Tensor v = linear(ops, g, a + "v_proj", x, cfg.attentionBias()).view(b, t, nkv, hd);
            if (cfg.qkNorm()) { // Qwen3: RMSNorm over each head's D features, before RoPE
                q = LlamaModel.this.norm(ops, g, a + "q_norm", q);
                k = LlamaModel.this.norm(ops, g, a + "k_norm", k);
            }
            q = q.transpose(1, 2); // (B, H, T, D)
            k = k.transpose(1, 2); // (B, Hkv, T, D)
            v = v.transpose(1, 2);
            Tensor[] cs = cosSin(b); // (B, T, D) each
            q = RotaryEmbedding.apply(q, cs[0], cs[1]);
            k = RotaryEmbedding.apply(k, cs[0], cs[1]);
            return new Tensor[] {q, k, v};
        }

        @Override
        public Tensor projectHead(Role role, int head, Tensor x) {
            int src = role == Role.QUERY ? head : head / (cfg.numHeads() / cfg.numKvHeads());
            String n = a + switch (role) {
                case QUERY -> "q_proj";
                case KEY -> "k_proj";
                case VALUE -> "v_proj";
            };
            Tensor y = headRows(n, src, x, cfg.attentionBias()); // (B, T, D)
            if (role == Role.VALUE) return y;
            if (cfg.qkNorm()) y = NN.rmsNorm(y, g.get(a + (role == Role.QUERY ? "q_norm" : "k_norm") + ".weight"),
                    cfg.rmsNormEps());
            Tensor[] cs = cosSin(x.size(0));
            return RotaryEmbedding.apply(y.unsqueeze(1), cs[0], cs[1]).squeeze(1); // (B, T, D)
        }

        @Override
        public Tensor output(Tensor z) {
            return linear(ctx.ops(), g, a + "o_proj", z.reshape(z.size(0), z.size(1), (long) cfg.numHeads() * cfg.headDim()),
                    cfg.attentionBias());
        }

        @Override
        public Tensor outputHead(int head, Tensor zh) { return headColumns(a + "o_proj", head, zh); }
    }

    @Override
    public Tensor head(Tensor h, ForwardContext ctx) {
        LayerOps ops = ctx.ops();
        h = norm(ops, head, P + "norm", ops.residual(cfg.numLayers(), h));
        Tensor w = cfg.tieWordEmbeddings() ? embedding.get(P + "embed_tokens.weight") : head.get("lm_head.weight");
        return ops.linear("lm_head", h, w, null); // (B, T, V)
    }

    private static Tensor linear(LayerOps ops, ParamGroup g, String name, Tensor x, boolean bias) {
        return ops.linear(name, x, g.get(name + ".weight"), bias ? g.get(name + ".bias") : null);
    }

    private Tensor norm(LayerOps ops, ParamGroup g, String name, Tensor x) {
        return ops.rmsNorm(name, x, g.get(name + ".weight"), cfg.rmsNormEps());
    }
}
