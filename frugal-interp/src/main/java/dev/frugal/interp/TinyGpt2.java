package dev.frugal.interp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.model.HfConfig;
import dev.frugal.model.gpt2.Gpt2Model;
import dev.frugal.tensor.Device;
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
 * The shape of a small Hugging Face GPT-2 ({@code GPT2LMHeadModel}) that frugal builds for circuit discovery, loaded
 * as core's {@link Gpt2Model}. An <em>attention-only</em> model (the induction and planted models) is still a plain
 * GPT-2 directory that Hugging Face loads as-is, arranged so that its blocks act as attention only without
 * LayerNorm: every LayerNorm has ε = 10¹² and gain 10⁶, so {@code LN(x) = (x − mean(x))·10⁶/√(var + 10¹²)} is
 * {@code x − mean(x)} to float32 precision (var is lost next to 10¹² in float32); and every MLP is one unit wide
 * with all-zero weights and biases, so it adds exactly 0. Neither is trained ({@link #trainable}).
 *
 * @param mlpDim   MLP width ({@code n_inner}); 1 for attention-only models
 * @param tiedHead the LM head is {@code wte}; otherwise its own {@code lm_head.weight (V, C)}
 */
public record TinyGpt2(int vocab, int dModel, int layers, int heads, int positions, int mlpDim, boolean attentionOnly,
                       boolean tiedHead) {
    /** ε and gain of the LayerNorms of an attention-only model: LN reduces to subtracting the mean. */
    public static final double OFF_EPS = 1e12, OFF_GAIN = 1e6;
    static final String P = "transformer.";

    public TinyGpt2 {
        if (vocab <= 0 || dModel <= 0 || layers <= 0 || heads <= 0 || positions <= 0 || mlpDim <= 0)
            throw new IllegalArgumentException("vocab, d_model, layers, heads, positions and MLP width must be positive,"
                    + " got " + vocab + ", " + dModel + ", " + layers + ", " + heads + ", " + positions + ", " + mlpDim);
        if (dModel % heads != 0) throw new IllegalArgumentException("d_model " + dModel + " is not divisible by "
                + heads + " heads: every head needs d_model / heads dimensions");
    }

    /** An attention-only, LayerNorm-free GPT-2 (see the class comment) with a tied head. */
    public static TinyGpt2 attentionOnly(int vocab, int dModel, int layers, int heads, int positions) {
        return new TinyGpt2(vocab, dModel, layers, heads, positions, 1, true, true);
    }

    /** A GPT-2 block layout: trained LayerNorms and a GELU MLP of {@code mlpDim}, tied head. */
    public static TinyGpt2 gpt(int vocab, int dModel, int layers, int heads, int positions, int mlpDim) {
        return new TinyGpt2(vocab, dModel, layers, heads, positions, mlpDim, false, true);
    }

    /** This shape with an untied LM head. */
    public TinyGpt2 untied() { return new TinyGpt2(vocab, dModel, layers, heads, positions, mlpDim, attentionOnly, false); }

    public int headDim() { return dModel / heads; }

    /** The config.json of this shape. */
    public ObjectNode configJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("model_type", "gpt2");
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("vocab_size", vocab);
        n.put("n_embd", dModel);
        n.put("n_layer", layers);
        n.put("n_head", heads);
        n.put("n_positions", positions);
        n.put("n_inner", mlpDim);
        n.put("activation_function", "gelu_new");
        n.put("layer_norm_epsilon", attentionOnly ? OFF_EPS : 1e-5);
        n.put("tie_word_embeddings", tiedHead);
        return n;
    }

    /** Every parameter with its shape in {@code named_parameters()} order (tied head once). */
    public LinkedHashMap<String, long[]> shapes() {
        LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
        long d = dModel;
        s.put(P + "wte.weight", new long[] {vocab, d});
        s.put(P + "wpe.weight", new long[] {positions, d});
        for (int i = 0; i < layers; i++) {
            String l = P + "h." + i + ".";
            pair(s, l + "ln_1", new long[] {d}, d);
            pair(s, l + "attn.c_attn", new long[] {d, 3 * d}, 3 * d);
            pair(s, l + "attn.c_proj", new long[] {d, d}, d);
            pair(s, l + "ln_2", new long[] {d}, d);
            pair(s, l + "mlp.c_fc", new long[] {d, mlpDim}, mlpDim);
            pair(s, l + "mlp.c_proj", new long[] {mlpDim, d}, d);
        }
        pair(s, P + "ln_f", new long[] {d}, d);
        if (!tiedHead) s.put("lm_head.weight", new long[] {vocab, d});
        return s;
    }

    private static void pair(Map<String, long[]> s, String n, long[] w, long bias) {
        s.put(n + ".weight", w);
        s.put(n + ".bias", new long[] {bias});
    }

    /** Whether training updates {@code name}: everything but an attention-only model's LayerNorms and MLPs. */
    public boolean trainable(String name) {
        return !attentionOnly || !(name.contains(".ln_") || name.contains(".mlp."));
    }

    /**
     * GPT-2's initialisation: weights N(0, 0.02), biases 0, LayerNorm gains 1 ({@link #OFF_GAIN} when attention-only,
     * whose MLP weights are 0); seeded by {@code rng}.
     */
    public LinkedHashMap<String, Tensor> init(Rng rng) {
        LinkedHashMap<String, Tensor> ps = new LinkedHashMap<>();
        for (var e : shapes().entrySet()) {
            String n = e.getKey();
            Tensor t;
            if (n.contains(".ln_")) t = n.endsWith(".weight") ? Tensors.ones(e.getValue()).mul(attentionOnly ? OFF_GAIN : 1)
                    : Tensors.zeros(e.getValue());
            else if (n.endsWith(".bias") || (attentionOnly && n.contains(".mlp."))) t = Tensors.zeros(e.getValue());
            else t = Tensors.randn(rng, e.getValue()).mul(0.02);
            ps.put(n, t);
        }
        return ps;
    }

    /**
     * Writes {@code tensors} (every name of {@link #shapes()}, shapes checked) with this shape's config.json as a
     * Hugging Face directory {@code dir}, and loads it as core's GPT-2 on the CPU.
     */
    public Gpt2Model write(Path dir, Map<String, Tensor> tensors) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (var e : shapes().entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) throw new IllegalArgumentException("missing parameter " + e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) throw new IllegalArgumentException(e.getKey() + " must be "
                    + Arrays.toString(e.getValue()) + ", got " + Arrays.toString(t.shape()));
            out.put(e.getKey(), t.contiguous());
        }
        try {
            Files.createDirectories(dir);
            HfConfig.of(configJson(), dir.resolve("config.json")).writeTo(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir, e);
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
        return Gpt2Model.load(dir, Device.CPU);
    }
}
