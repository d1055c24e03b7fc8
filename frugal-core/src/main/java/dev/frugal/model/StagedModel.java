package dev.frugal.model;

import dev.frugal.tensor.Device;
import dev.frugal.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A transformer as embedding → blocks → head, each stage reading its parameters from its {@link ParamGroup} on every
 * call, so that parameters can be swapped (offloading tiers) or updated in place (optimizers). Decoders
 * ({@link CausalLM}) and encoders (BERT) both are staged models; ZO2 streams the blocks of either.
 */
public interface StagedModel extends AutoCloseable {
    ModelConfig config();

    Device device();

    /** Embedding parameters; stay resident under offloading. */
    ParamGroup embeddingParams();

    /** One group per transformer block, in depth order. */
    List<ParamGroup> blockParams();

    /** Parameters after the blocks (final norm, LM head, pooler, classifier); a tied head holds none of its own. */
    ParamGroup headParams();

    /** Every trainable parameter name in Hugging Face {@code named_parameters()} order, tied weights once. */
    List<String> parameterNames();

    /** Block {@code layer}: {@code (B, T, C)} → {@code (B, T, C)}; appends to {@code ctx.cache()} when present. */
    Tensor block(int layer, Tensor hidden, ForwardContext ctx);

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
