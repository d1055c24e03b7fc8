package dev.frugal.model.bert;

import dev.frugal.io.Checkpoint;
import dev.frugal.model.AbstractStagedModel;
import dev.frugal.model.EncoderModel;
import dev.frugal.model.ForwardContext;
import dev.frugal.model.HfConfig;
import dev.frugal.model.LayerOps;
import dev.frugal.model.ParamGroup;
import dev.frugal.model.WeightLoader;
import dev.frugal.tensor.DType;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BERT (Devlin et al. 2019): word + absolute position + token-type embeddings and a LayerNorm; post-LN encoder blocks
 * (bidirectional self-attention over the unpadded positions, {@code LN(x + Attn(x))}, then
 * {@code LN(h + W₂·act(W₁·h))}); an optional pooler {@code tanh(W·h[:, 0] + b)} and an optional linear classifier on
 * the pooled vector.
 *
 * <p>Loads both Hugging Face layouts ({@link BertLayout}): {@code BertForSequenceClassification} ({@code bert.*} plus
 * {@code classifier.*}) and a bare {@code BertModel} (no prefix, pooler optional, no classifier, e.g. a sentence
 * encoder such as MiniLM). Parameter names are the checkpoint's own, so saving writes the layout that was loaded.
 * Dropout is not applied (inference semantics, as HF in {@code eval()} mode).
 */
public final class BertModel extends AbstractStagedModel<BertConfig> implements EncoderModel {
    private final BertLayout layout;
    private final String p; // "bert." or ""

    private BertModel(BertConfig cfg, BertLayout layout, Device device) {
        super(cfg, device, expectedShapes(cfg, layout).keySet());
        this.layout = layout;
        this.p = layout.prefix();
    }

    /** Loads {@code dir} (config.json + safetensors) onto {@code device}, in whichever layout it was saved. */
    public static BertModel load(Path dir, Device device) {
        BertConfig cfg = BertConfig.from(HfConfig.read(dir));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return load(cfg, ckpt, device);
        }
    }

    static BertModel load(BertConfig cfg, Checkpoint ckpt, Device device) {
        BertLayout layout = BertLayout.detect(cfg, ckpt);
        BertModel m = new BertModel(cfg, layout, device);
        WeightLoader w = new WeightLoader(ckpt, device);
        Map<String, long[]> shapes = expectedShapes(cfg, layout);
        w.verify(shapes, Set.of(), layout::isBuffer);
        for (String n : shapes.keySet()) w.load(m.groupOf(n), n);
        return m;
    }

    /** Every parameter with its shape, in Hugging Face {@code named_parameters()} order for {@code layout}. */
    static Map<String, long[]> expectedShapes(BertConfig c, BertLayout layout) {
        Map<String, long[]> s = new LinkedHashMap<>();
        String e = layout.prefix() + "embeddings.";
        long h = c.hiddenSize(), f = c.intermediateSize();
        s.put(e + "word_embeddings.weight", new long[] {c.vocabSize(), h});
        s.put(e + "position_embeddings.weight", new long[] {c.maxPositions(), h});
        s.put(e + "token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        norm(s, e + "LayerNorm", h);
        for (int i = 0; i < c.numLayers(); i++) {
            String l = layout.prefix() + "encoder.layer." + i + ".";
            for (String proj : List.of("query", "key", "value")) linear(s, l + "attention.self." + proj, h, h);
            linear(s, l + "attention.output.dense", h, h);
            norm(s, l + "attention.output.LayerNorm", h);
            linear(s, l + "intermediate.dense", f, h);
            linear(s, l + "output.dense", h, f);
            norm(s, l + "output.LayerNorm", h);
        }
        if (layout.pooler()) linear(s, layout.prefix() + "pooler.dense", h, h);
        if (layout.classifier()) linear(s, "classifier", c.numLabels(), h);
        return s;
    }

    private static void linear(Map<String, long[]> s, String name, long out, long in) {
        s.put(name + ".weight", new long[] {out, in});
        s.put(name + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> s, String name, long h) {
        s.put(name + ".weight", new long[] {h});
        s.put(name + ".bias", new long[] {h});
    }

    private ParamGroup groupOf(String name) {
        String local = name.startsWith(p) ? name.substring(p.length()) : name;
        if (local.startsWith("embeddings.")) return embedding;
        if (local.startsWith("encoder.layer.")) {
            int from = "encoder.layer.".length();
            return blocks.get(Integer.parseInt(local.substring(from, local.indexOf('.', from))));
        }
        return head; // pooler.dense, classifier
    }

    /** Which Hugging Face layout this model was loaded from (and is saved as). */
    public BertLayout layout() { return layout; }

    @Override
    public boolean hasPooler() { return layout.pooler(); }

    @Override
    public boolean hasClassifier() { return layout.classifier(); }

    @Override
    public int numLabels() { return cfg.numLabels(); }

    /** Embeddings: {@code LN(word[ids] + tokenType[types] + position[0..T-1])} → (B, T, C). */
    @Override
    public Tensor embed(Tensor ids, Tensor tokenTypeIds, ForwardContext ctx) {
        long b = ids.size(0), t = ids.size(1);
        if (t > cfg.maxPositions()) throw new IllegalArgumentException("input has " + t + " tokens but this BERT"
                + " accepts at most max_position_embeddings = " + cfg.maxPositions() + ": truncate the input");
        if (tokenTypeIds != null && !Arrays.equals(tokenTypeIds.shape(), ids.shape()))
            throw new IllegalArgumentException("token type ids must have the shape of the input ids " +
                    Arrays.toString(ids.shape()) + ", got " + Arrays.toString(tokenTypeIds.shape()));
        LayerOps ops = ctx.ops();
        String e = p + "embeddings.";
        Tensor types = tokenTypeIds != null ? tokenTypeIds : Tensors.zeros(DType.I64, ids.device(), b, t); // (B, T)
        Tensor x = ops.embedding(e + "word_embeddings", embedding.get(e + "word_embeddings.weight"), ids); // (B,T,C)
        x = x.add(ops.embedding(e + "token_type_embeddings", embedding.get(e + "token_type_embeddings.weight"), types));
        Tensor pos = ctx.positionsArange(); // (B, T): 0..T-1, absolute, independent of padding
        x = x.add(ops.embedding(e + "position_embeddings", embedding.get(e + "position_embeddings.weight"), pos));
        return norm(ops, embedding, e + "LayerNorm", x);
    }

    /** One post-LN encoder block: (B, T, C) → (B, T, C). */
    @Override
    public Tensor block(int layer, Tensor h, ForwardContext ctx) {
        if (ctx.cache() != null) throw new IllegalArgumentException("BERT is an encoder and takes no KV cache");
        ParamGroup g = blocks.get(layer);
        String l = p + "encoder.layer." + layer + ".";
        LayerOps ops = ctx.ops();
        Tensor a = attention(layer, g, l + "attention.", h, ctx);                            // (B, T, C)
        h = norm(ops, g, l + "attention.output.LayerNorm", a.add(h));                       // LN(Attn(x) + x)
        Tensor f = cfg.activation().apply(linear(ops, g, l + "intermediate.dense", h));     // (B, T, F)
        return norm(ops, g, l + "output.LayerNorm", linear(ops, g, l + "output.dense", f).add(h)); // LN(FFN(h) + h)
    }

    /** Multi-head self-attention and its output projection {@code attention.output.dense}: (B, T, C) → (B, T, C). */
    private Tensor attention(int layer, ParamGroup g, String a, Tensor x, ForwardContext ctx) {
        long b = x.size(0), t = x.size(1);
        int nh = cfg.numHeads(), hd = cfg.headDim();
        LayerOps ops = ctx.ops();
        Tensor q = linear(ops, g, a + "self.query", x).view(b, t, nh, hd).transpose(1, 2); // (B, H, T, D)
        Tensor k = linear(ops, g, a + "self.key", x).view(b, t, nh, hd).transpose(1, 2);   // (B, H, T, D)
        Tensor v = linear(ops, g, a + "self.value", x).view(b, t, nh, hd).transpose(1, 2); // (B, H, T, D)
        // softmax(q·kᵀ/√D) over the real keys only; ctx.attendMask() broadcasts to (B, 1, T, T), or is null without padding
        Tensor o = NN.attention(q, k, v, ctx.attendMask(), false, 1.0 / Math.sqrt(hd), false); // (B, H, T, D)
        o = ops.headOutputs(layer, o.transpose(1, 2)); // (B, T, H, D)
        return linear(ops, g, a + "output.dense", o.reshape(b, t, (long) nh * hd));
    }

    /** {@code tanh(W·h[:, 0] + b)}: (B, T, C) → (B, C). */
    @Override
    public Tensor pooled(Tensor lastHidden, LayerOps ops) {
        if (!layout.pooler()) throw new IllegalStateException("this BERT checkpoint has no pooler (" + p
                + "pooler.dense): pool the last hidden state yourself, e.g. a masked mean over T for a sentence encoder");
        LayerOps o = ops == null ? LayerOps.PLAIN : ops;
        Tensor first = lastHidden.select(1, 0); // (B, C): the [CLS] position
        return linear(o, head, p + "pooler.dense", first).tanh();
    }

    /** {@code W·pooled + b}: (B, C) → (B, numLabels). */
    @Override
    public Tensor classify(Tensor pooled, LayerOps ops) {
        if (!layout.classifier()) throw new IllegalStateException("this BERT checkpoint has no classifier (a bare"
                + " BertModel): load a BertForSequenceClassification checkpoint to classify");
        return linear(ops == null ? LayerOps.PLAIN : ops, head, "classifier", pooled);
    }

    private static Tensor linear(LayerOps ops, ParamGroup g, String name, Tensor x) {
        return ops.linear(name, x, g.get(name + ".weight"), g.get(name + ".bias"));
    }

    private Tensor norm(LayerOps ops, ParamGroup g, String name, Tensor x) {
        return ops.layerNorm(name, x, g.get(name + ".weight"), g.get(name + ".bias"), cfg.layerNormEps());
    }
}
