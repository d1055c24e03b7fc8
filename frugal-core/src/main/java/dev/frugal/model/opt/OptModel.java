package dev.frugal.model.opt;

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
 * OPT ({@code OPTForCausalLM}): learned positions with offset 2 computed from the padding mask, pre- or post-LayerNorm
 * blocks, optional project_in/out when {@code word_embed_proj_dim != hidden_size}, LM head tied to the embedding.
 */
public final class OptModel extends AbstractStagedModel<OptConfig> implements CausalLM {
    private static final String P = "model.decoder.";

    OptModel(OptConfig cfg, Device device) { // package-private: OptRandomInit builds parameter-less models too
        super(cfg, device, expectedShapes(cfg).keySet());
    }

    /** Loads {@code dir} (config.json + safetensors) onto {@code device}. */
    public static OptModel load(Path dir, Device device) {
        OptConfig cfg = OptConfig.from(HfConfig.read(dir));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return load(cfg, ckpt, device);
        }
    }

    static OptModel load(OptConfig cfg, Checkpoint ckpt, Device device) {
        WeightLoader w = verified(cfg, ckpt, device);
        OptModel m = new OptModel(cfg, device);
        for (String n : expectedShapes(cfg).keySet()) w.load(m.groupOf(n), n);
        return m;
    }

    /**
     * {@link dev.frugal.model.Models#loadCausalLMStreaming}: the embedding and head loaded on the CPU, the blocks left
     * in {@code ckpt} (verified as by {@link #load}) for a source that reads them one block at a time.
     */
    public static dev.frugal.model.Models.Streamed loadStreaming(HfConfig hf, Checkpoint ckpt) {
        OptConfig cfg = OptConfig.from(hf);
        WeightLoader w = verified(cfg, ckpt, Device.CPU);
        OptModel m = new OptModel(cfg, Device.CPU);
        return w.streamed(m, expectedShapes(cfg), m::groupOf, n -> n);
    }

    /** A loader of {@code ckpt} whose names and shapes were checked against {@code cfg}. */
    private static WeightLoader verified(OptConfig cfg, Checkpoint ckpt, Device device) {
        WeightLoader w = new WeightLoader(ckpt, device);
        w.verify(expectedShapes(cfg), cfg.tieWordEmbeddings() ? Set.of("lm_head.weight") : Set.of(), n -> false);
        return w;
    }

    /** Every parameter with its shape, in Hugging Face {@code named_parameters()} order. */
    static Map<String, long[]> expectedShapes(OptConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = c.hiddenSize(), e = c.wordEmbedProjDim(), f = c.ffnDim();
        s.put(P + "embed_tokens.weight", new long[] {c.vocabSize(), e});
        s.put(P + "embed_positions.weight", new long[] {c.maxPositions() + OptConfig.POSITION_OFFSET, h});
        if (c.projects()) {
            s.put(P + "project_out.weight", new long[] {e, h});
            s.put(P + "project_in.weight", new long[] {h, e});
        }
        if (c.finalLayerNorm() && c.layerNormAffine()) {
            s.put(P + "final_layer_norm.weight", new long[] {h});
            s.put(P + "final_layer_norm.bias", new long[] {h});
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String l = P + "layers." + i + ".";
            for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) linear(s, c, l + "self_attn." + proj, h, h);
            norm(s, c, l + "self_attn_layer_norm", h);
            linear(s, c, l + "fc1", f, h);
            linear(s, c, l + "fc2", h, f);
            norm(s, c, l + "final_layer_norm", h);
        }
        if (!c.tieWordEmbeddings()) s.put("lm_head.weight", new long[] {c.vocabSize(), e});
        return s;
    }

    private static void linear(Map<String, long[]> s, OptConfig c, String name, long out, long in) {
        s.put(name + ".weight", new long[] {out, in});
        if (c.enableBias()) s.put(name + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> s, OptConfig c, String name, long h) {
        if (!c.layerNormAffine()) return;
        s.put(name + ".weight", new long[] {h});
        s.put(name + ".bias", new long[] {h});
    }

    ParamGroup groupOf(String name) {
        if (name.startsWith(P + "layers.")) {
            int i = Integer.parseInt(name.substring((P + "layers.").length(), name.indexOf('.', (P + "layers.").length())));
            return blocks.get(i);
        }
        if (name.startsWith(P + "embed_") || name.startsWith(P + "project_in")) return embedding;
        return head; // final_layer_norm, project_out, lm_head
    }

    @Override
    public Tensor embed(Tensor ids, ForwardContext ctx) {
        LayerOps ops = ctx.ops();
        Tensor x = ops.embedding(P + "embed_tokens", embedding.get(P + "embed_tokens.weight"), ids); // (B, T, E)
        if (cfg.projects()) x = ops.linear(P + "project_in", x, embedding.get(P + "project_in.weight"), null); // (B,T,C)
        Tensor pos = ctx.positionsFromMask().add(OptConfig.POSITION_OFFSET); // (B, T), padding -> 1
        return x.add(ops.embedding(P + "embed_positions", embedding.get(P + "embed_positions.weight"), pos));
    }

    @Override
    public Tensor block(int layer, Tensor h, ForwardContext ctx) {
        ParamGroup g = blocks.get(layer);
        String l = P + "layers." + layer + ".";
        LayerOps ops = ctx.ops();
        boolean pre = cfg.doLayerNormBefore();
        h = ops.residual(layer, h);
        h = h.add(ops.attention(new Attention(layer, g, l, ctx), h));
        if (!pre) h = norm(ops, g, l + "self_attn_layer_norm", h);
        h = h.add(ops.mlp(new Mlp(layer, g, l, ops), h));
        if (!pre) h = norm(ops, g, l + "final_layer_norm", h);
        return h;
    }

    /** {@code fc2(act(fc1(final_layer_norm(h))))} (no norm before it when post-LN). */
    private final class Mlp extends BlockParts.Mlp {
        Mlp(int layer, ParamGroup g, String l, LayerOps ops) { super(layer, g, l, ops); }

        @Override
        public Tensor norm(Tensor h) {
            return cfg.doLayerNormBefore() ? OptModel.this.norm(ops, g, prefix + "final_layer_norm", h) : h;
        }

        @Override
        public Tensor apply(Tensor x) {
            Tensor h = linear(ops, g, prefix + "fc1", x); // (B, T, F)
            h = switch (cfg.activation()) {
                case "relu" -> h.relu();
                case "gelu" -> NN.gelu(h);
                default -> NN.geluTanh(h);
            };
            return linear(ops, g, prefix + "fc2", h);
        }
    }

    /**
     * Self-attention of {@code self_attn_layer_norm(h)} (of h itself when post-LN): q/k/v/out projections
     * {@code (C, H·D)}, head h at rows (q, k, v) or columns (out) {@code h·D .. h·D+D}.
     *
     * <p>The scale is applied in Hugging Face's order: {@code q = q_proj(x) · D^-0.5}, then attention with scale 1
     * ({@code OPTAttention} keeps "the original order of scaling", so its eager and SDPA paths both see the scaled q).
     * {@code (q·s)·k} and {@code (q·k)·s} round differently unless s is a power of two (D = 16, 64, 256); OPT-66B's
     * D = 128 and small variants (D = 8) are not.
     */
    private final class Attention extends BlockParts.Attention {
        private final String a;
        private final double scaling = Math.pow(cfg.headDim(), -0.5); // HF: self.head_dim**-0.5

        Attention(int layer, ParamGroup g, String l, ForwardContext ctx) {
            super(layer, g, l, ctx, cfg.numHeads(), cfg.numHeads(), cfg.headDim(), 1.0); // q arrives scaled
            this.a = l + "self_attn.";
        }

        @Override
        public Tensor norm(Tensor h) {
            return cfg.doLayerNormBefore() ? OptModel.this.norm(ctx.ops(), g, prefix + "self_attn_layer_norm", h) : h;
        }

        @Override
        public Tensor[] project(Tensor x) {
            long b = x.size(0), t = x.size(1);
            int nh = cfg.numHeads(), hd = cfg.headDim();
            LayerOps ops = ctx.ops();
            Tensor q = linear(ops, g, a + "q_proj", x).mul(scaling).view(b, t, nh, hd).transpose(1, 2); // (B, H, T, D)
            Tensor k = linear(ops, g, a + "k_proj", x).view(b, t, nh, hd).transpose(1, 2);
            Tensor v = linear(ops, g, a + "v_proj", x).view(b, t, nh, hd).transpose(1, 2);
            return new Tensor[] {q, k, v};
        }

        @Override
        public Tensor projectHead(Role role, int head, Tensor x) {
            String n = a + switch (role) {
                case QUERY -> "q_proj";
                case KEY -> "k_proj";
                case VALUE -> "v_proj";
            };
            Tensor y = headRows(n, head, x, cfg.enableBias()); // (B, T, D)
            return role == Role.QUERY ? y.mul(scaling) : y; // ready for attend(): scaled as in project()
        }

        @Override
        public Tensor output(Tensor z) {
            return linear(ctx.ops(), g, a + "out_proj", z.reshape(z.size(0), z.size(1), (long) cfg.numHeads() * cfg.headDim()));
        }

        @Override
        public Tensor outputHead(int head, Tensor zh) { return headColumns(a + "out_proj", head, zh); }
    }

    @Override
    public Tensor head(Tensor h, ForwardContext ctx) {
        LayerOps ops = ctx.ops();
        h = ops.residual(cfg.numLayers(), h);
        if (cfg.finalLayerNorm()) h = norm(ops, head, P + "final_layer_norm", h);
        if (cfg.projects()) h = ops.linear(P + "project_out", h, head.get(P + "project_out.weight"), null);
        Tensor w = cfg.tieWordEmbeddings() ? embedding.get(P + "embed_tokens.weight") : head.get("lm_head.weight");
        return ops.linear("lm_head", h, w, null); // (B, T, V)
    }

    private Tensor linear(LayerOps ops, ParamGroup g, String name, Tensor x) {
        return ops.linear(name, x, g.get(name + ".weight"), cfg.enableBias() ? g.get(name + ".bias") : null);
    }

    private Tensor norm(LayerOps ops, ParamGroup g, String name, Tensor x) {
        boolean affine = cfg.layerNormAffine();
        return ops.layerNorm(name, x, affine ? g.get(name + ".weight") : null, affine ? g.get(name + ".bias") : null,
                OptConfig.LN_EPS);
    }
}
