package dev.frugal.model;

import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A decoder-only language model as embedding → blocks → head. Each stage reads its parameters from its
 * {@link ParamGroup} on every call, so the parameters can be swapped (offloading) or updated in place (optimizers).
 * Implementations: OPT, GPT-2, Llama, Qwen3.
 */
public interface CausalLM extends AutoCloseable {
    DecoderConfig config();

    Device device();

    /** Token (and position) embedding parameters; stays resident under offloading. */
    ParamGroup embeddingParams();

    /** One group per transformer block, in depth order. */
    List<ParamGroup> blockParams();

    /** Final norm and LM head parameters (a tied head holds no tensor of its own). */
    ParamGroup headParams();

    /** Every trainable parameter name in Hugging Face {@code named_parameters()} order, tied weights once. */
    List<String> parameterNames();

    /** {@code (B, T)} int64 token ids → hidden states {@code (B, T, C)}. */
    Tensor embed(Tensor inputIds, ForwardContext ctx);

    /** Block {@code layer}: {@code (B, T, C)} → {@code (B, T, C)}; appends to {@code ctx.cache()} when present. */
    Tensor block(int layer, Tensor hidden, ForwardContext ctx);

    /** Final norm (if any) and LM head: {@code (B, T, C)} → logits {@code (B, T, V)}. */
    Tensor head(Tensor hidden, ForwardContext ctx);

    /** A context for {@code inputIds (B, T)} with optional padding mask {@code (B, past+T)} and cache. */
    default ForwardContext context(Tensor inputIds, Tensor paddingMask, KvCache cache, LayerOps ops) {
        return new ForwardContext(inputIds.size(0), inputIds.size(1), paddingMask, cache, ops, true).onDevice(device());
    }

    /** Full forward: logits {@code (B, T, V)}. */
    default Tensor logits(Tensor inputIds, Tensor paddingMask, KvCache cache, LayerOps ops) {
        ForwardContext ctx = context(inputIds, paddingMask, cache, ops);
        Tensor h = embed(inputIds, ctx);
        for (int i = 0; i < blockParams().size(); i++) h = block(i, h, ctx);
        return head(h, ctx);
    }

    /** Full forward without mask, cache or hooks. */
    default Tensor logits(Tensor inputIds) { return logits(inputIds, null, null, null); }

    /** Every stage's parameter group: embedding, blocks, head. */
    default List<ParamGroup> stages() {
        List<ParamGroup> all = new ArrayList<>();
        all.add(embeddingParams());
        all.addAll(blockParams());
        all.add(headParams());
        return all;
    }

    /** The tensor of parameter {@code name}. */
    default Tensor parameter(String name) {
        for (ParamGroup g : stages()) if (g.contains(name)) return g.get(name);
        throw new IllegalArgumentException("model has no parameter '" + name + "'");
    }

    /** Name → tensor in {@link #parameterNames()} order. */
    default LinkedHashMap<String, Tensor> namedParameters() {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (String n : parameterNames()) m.put(n, parameter(n));
        return m;
    }

    /** Total trainable element count (tied weights once). */
    default long parameterCount() {
        long n = 0;
        for (String p : parameterNames()) n += parameter(p).numel();
        return n;
    }

    /** Frees all parameters. */
    @Override
    default void close() {
        for (ParamGroup g : stages()) g.close();
    }
}
