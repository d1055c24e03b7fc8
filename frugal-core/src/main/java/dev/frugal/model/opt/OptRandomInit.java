package dev.frugal.model.opt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.frugal.model.BlockSource;
import dev.frugal.model.HfConfig;
import dev.frugal.model.ParamGroup;
import dev.frugal.tensor.Device;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seeded random-weight OPT models (for benchmarks and tests), initialised as Hugging Face's
 * {@code OPTPreTrainedModel._init_weights} does: Linear and Embedding weights N(0, 0.02²), biases 0, LayerNorm
 * weight 1 and bias 0. Embedding and head parameters are drawn from the generator {@code "opt-init.resident"} seeded
 * with the model seed, block i's from {@code "opt-init.block"} seeded with {@link #blockSeed(long, int)}, each in
 * {@code named_parameters()} order. Because every block has its own generator, a block's weights do not depend on
 * when it is drawn: {@link #blocks(OptConfig, long)} produces them one at a time (ZO2 streams them straight into its
 * offload tier, so the fp32 model is never resident as a whole), and {@link #model} gives the same bits eagerly.
 */
public final class OptRandomInit {
    /** Standard deviation of OPT's weight initialisation ({@code init_std}). */
    public static final double INIT_STD = 0.02;

    private OptRandomInit() {}

    /**
     * An in-memory pre-LN OPT config (ReLU, biases, tied embeddings, final LayerNorm), as {@code facebook/opt-*}.
     *
     * @throws dev.frugal.model.ConfigException when {@code hidden} is not divisible by {@code heads}
     */
    public static OptConfig config(int vocab, int hidden, int layers, int heads, int ffn, int maxPositions) {
        ObjectNode j = JsonNodeFactory.instance.objectNode();
        j.put("model_type", "opt");
        j.putArray("architectures").add("OPTForCausalLM");
        j.put("vocab_size", vocab);
        j.put("hidden_size", hidden);
        j.put("word_embed_proj_dim", hidden);
        j.put("num_hidden_layers", layers);
        j.put("num_attention_heads", heads);
        j.put("ffn_dim", ffn);
        j.put("max_position_embeddings", maxPositions);
        j.put("do_layer_norm_before", true);
        j.put("activation_function", "relu");
        j.put("init_std", INIT_STD);
        j.put("enable_bias", true);
        j.put("tie_word_embeddings", true);
        j.put("bos_token_id", 2);
        j.put("eos_token_id", 2);
        j.put("pad_token_id", 1);
        j.put("torch_dtype", "float32");
        return OptConfig.from(HfConfig.of(j, Path.of("random-opt-" + layers + "x" + hidden, "config.json")));
    }

    /** The whole model, every block materialised (the eager path; same bits as {@link #blocks}). */
    public static OptModel model(OptConfig cfg, long seed, Device device) {
        OptModel m = withoutBlocks(cfg, seed, device);
        try (BlockSource src = blocks(cfg, seed)) {
            for (int i = 0; i < cfg.numLayers(); i++) {
                ParamGroup g = m.blockParams().get(i);
                LinkedHashMap<String, Tensor> b = src.take(i);
                try (Scope s = Scope.open()) {
                    for (var e : b.entrySet()) {
                        g.put(e.getKey(), device.isCuda() ? e.getValue().to(device) : e.getValue());
                        e.getValue().close(); // put() took its own reference
                    }
                }
            }
        }
        return m;
    }

    /** Embedding and head initialised; every block group empty (fill them from {@link #blocks}). */
    public static OptModel withoutBlocks(OptConfig cfg, long seed, Device device) {
        OptModel m = new OptModel(cfg, device);
        try (Rng rng = Rng.seeded("opt-init.resident", seed)) {
            for (Map.Entry<String, long[]> e : OptModel.expectedShapes(cfg).entrySet()) {
                if (isBlockParam(e.getKey())) continue;
                try (Scope s = Scope.open()) {
                    Tensor t = init(e.getKey(), e.getValue(), rng);
                    m.groupOf(e.getKey()).put(e.getKey(), device.isCuda() ? t.to(device) : t);
                }
            }
        }
        return m;
    }

    /** The blocks of the model with {@code seed}, initialised one at a time on the CPU as they are taken. */
    public static BlockSource blocks(OptConfig cfg, long seed) {
        Map<String, long[]> all = OptModel.expectedShapes(cfg);
        return new BlockSource() {
            @Override
            public int numBlocks() { return cfg.numLayers(); }

            @Override
            public LinkedHashMap<String, long[]> shapes(int i) {
                java.util.Objects.checkIndex(i, cfg.numLayers());
                String prefix = "model.decoder.layers." + i + ".";
                LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
                for (var e : all.entrySet()) if (e.getKey().startsWith(prefix)) s.put(e.getKey(), e.getValue().clone());
                return s;
            }

            @Override
            public LinkedHashMap<String, Tensor> take(int i) {
                LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
                try (Rng rng = Rng.seeded("opt-init.block", blockSeed(seed, i)); Scope s = Scope.open()) {
                    for (var e : shapes(i).entrySet()) out.put(e.getKey(), init(e.getKey(), e.getValue(), rng).keep());
                }
                return out;
            }

            /** The same draws as {@link #take}, in the same order, one tensor alive at a time. */
            @Override
            public void forEachTensor(int i, java.util.function.BiConsumer<String, Tensor> each) {
                try (Rng rng = Rng.seeded("opt-init.block", blockSeed(seed, i))) {
                    for (var e : shapes(i).entrySet())
                        try (Scope s = Scope.open()) {
                            each.accept(e.getKey(), init(e.getKey(), e.getValue(), rng));
                        }
                }
            }
        };
    }

    /**
     * The blocks initialised as {@link #blocks(OptConfig, long)} does (N(0, 0.02²) weights, zero biases, unit
     * LayerNorms), but drawn on {@code device} in {@code dtype} with that device's generator: a CUDA device gives other
     * random numbers than the CPU for the same seed, and draws gigabytes of weights in milliseconds (GPU benchmarks).
     */
    public static BlockSource blocks(OptConfig cfg, long seed, Device device, dev.frugal.tensor.DType dtype) {
        BlockSource cpu = blocks(cfg, seed);
        return new BlockSource() {
            @Override
            public int numBlocks() { return cpu.numBlocks(); }

            @Override
            public LinkedHashMap<String, long[]> shapes(int i) { return cpu.shapes(i); }

            @Override
            public LinkedHashMap<String, Tensor> take(int i) {
                LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
                try (Rng rng = Rng.seeded("opt-init.block", blockSeed(seed, i), device); Scope s = Scope.open()) {
                    for (var e : shapes(i).entrySet())
                        out.put(e.getKey(), init(e.getKey(), e.getValue(), rng, dtype, device).keep());
                }
                return out;
            }
        };
    }

    /** The seed of block {@code i}'s generator: a SplitMix64 mix of the model seed and the block index. */
    public static long blockSeed(long seed, int i) {
        long z = seed + 0x9E3779B97F4A7C15L * (i + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    private static boolean isBlockParam(String name) { return name.startsWith("model.decoder.layers."); }

    /** One parameter, fp32, in the caller's scope: LayerNorm 1/0, biases 0, weights N(0, 0.02²). */
    private static Tensor init(String name, long[] shape, Rng rng) {
        return init(name, shape, rng, dev.frugal.tensor.DType.F32, Device.CPU);
    }

    /** Hugging Face's {@code _init_weights} for OPT: biases 0, LayerNorm weights 1, other weights N(0, 0.02²). */
    private static Tensor init(String name, long[] shape, Rng rng, dev.frugal.tensor.DType dtype, Device device) {
        if (name.endsWith(".bias")) return Tensors.full(0, dtype, device, shape);
        if (name.contains("layer_norm")) return Tensors.full(1, dtype, device, shape);
        return Tensors.randn(rng, dtype, device, shape).scaleInPlace(INIT_STD); // = mul(0.02), also in 16 bits
    }
}
