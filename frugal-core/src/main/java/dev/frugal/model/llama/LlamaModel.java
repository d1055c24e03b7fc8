package dev.frugal.model.llama;

import dev.frugal.io.Checkpoint;
import dev.frugal.model.AbstractStagedModel;
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
        LlamaModel m = new LlamaModel(cfg, device);
        WeightLoader w = new WeightLoader(ckpt, device);
        Map<String, long[]> shapes = expectedShapes(cfg);
        Set<String> optional = cfg.tieWordEmbeddings() ? Set.of("lm_head.weight") : Set.of();
        // older exports saved the rotary inv_freq buffer; it is recomputed here
        w.verify(shapes, optional, n -> n.endsWith(".rotary_emb.inv_freq"));
        for (String n : shapes.keySet()) w.load(m.groupOf(n), n);
        return m;
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
        Tensor residual = h;
        h = norm(ops, g, l + "input_layernorm", h);
        h = residual.add(attention(layer, g, l + "self_attn.", h, ctx)); // (B, T, C)
        residual = h;
        h = norm(ops, g, l + "post_attention_layernorm", h);
        return residual.add(mlp(ops, g, l + "mlp.", h));
    }

    /** Rotary grouped-query self-attention: {@code (B, T, C)} → {@code (B, T, C)}. */
    private Tensor attention(int layer, ParamGroup g, String a, Tensor x, ForwardContext ctx) {
        long b = x.size(0), t = x.size(1);
        int nh = cfg.numHeads(), nkv = cfg.numKvHeads(), hd = cfg.headDim();
        LayerOps ops = ctx.ops();
        Tensor q = linear(ops, g, a + "q_proj", x, cfg.attentionBias()).view(b, t, nh, hd);  // (B, T, H, D)
        Tensor k = linear(ops, g, a + "k_proj", x, cfg.attentionBias()).view(b, t, nkv, hd); // (B, T, Hkv, D)
        Tensor v = linear(ops, g, a + "v_proj", x, cfg.attentionBias()).view(b, t, nkv, hd);
        if (cfg.qkNorm()) { // Qwen3: RMSNorm over each head's D features, before RoPE
            q = norm(ops, g, a + "q_norm", q);
            k = norm(ops, g, a + "k_norm", k);
        }
        q = q.transpose(1, 2); // (B, H, T, D)
        k = k.transpose(1, 2); // (B, Hkv, T, D)
        v = v.transpose(1, 2);
        Tensor[] cs = RotaryEmbedding.cosSin(cfg.rope(), hd, ctx.positionsArange()); // (B, T, D) each
        q = RotaryEmbedding.apply(q, cs[0], cs[1]);
        k = RotaryEmbedding.apply(k, cs[0], cs[1]);
        if (ctx.cache() != null) {
            Tensor[] kv = ctx.cache().append(layer, k, v); // (B, Hkv, S, D)
            k = kv[0];
            v = kv[1];
        }
        Tensor o = NN.attention(q, k, v, ctx.attendMask(), ctx.isCausalOnly(), Math.pow(hd, -0.5),
                cfg.groupedQuery()); // (B, H, T, D)
        o = ops.headOutputs(layer, o.transpose(1, 2)); // (B, T, H, D)
        return linear(ops, g, a + "o_proj", o.reshape(b, t, (long) nh * hd), cfg.attentionBias());
    }

    /** SwiGLU (Shazeer, arXiv 2002.05202, eq. 6 with Swish₁ = SiLU): {@code down(silu(gate(x)) · up(x))}. */
    private Tensor mlp(LayerOps ops, ParamGroup g, String m, Tensor x) {
        Tensor gate = NN.silu(linear(ops, g, m + "gate_proj", x, cfg.mlpBias())); // (B, T, F)
        Tensor up = linear(ops, g, m + "up_proj", x, cfg.mlpBias());             // (B, T, F)
        return linear(ops, g, m + "down_proj", gate.mul(up), cfg.mlpBias());     // (B, T, C)
    }

    @Override
    public Tensor head(Tensor h, ForwardContext ctx) {
        LayerOps ops = ctx.ops();
        h = norm(ops, head, P + "norm", h);
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
