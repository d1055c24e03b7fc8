package dev.frugal.model;

import dev.frugal.tensor.Tensor;

/**
 * One block's causal self-attention taken apart, handed to {@link LayerOps#attention} so that a hook can give each
 * head its own query, key and value input (circuit discovery: ACDC's split q/k/v receivers) and read each head's
 * share of the output. The model supplies its own pieces (norm, fused projections, RoPE, q/k-norm, grouped-query
 * layout, attention scale), so a hook works on every decoder alike. Shapes: residual {@code (N, T, C)}, H query heads,
 * H_kv key/value heads, head dim D.
 */
public interface AttentionParts {
    /** Which of a head's three inputs. */
    enum Role { QUERY, KEY, VALUE }

    int layer();

    /** H: query heads. */
    int heads();

    /** H_kv: key/value heads (H for multi-head attention; fewer under grouped-query attention). */
    int kvHeads();

    /** D. */
    int headDim();

    /** The block's pre-attention norm of a residual stream {@code (N, T, C)} (identity for post-LN blocks). */
    Tensor norm(Tensor residual);

    /**
     * Every head's inputs from one normed stream, ready for attention (q/k-norm and rotary positions applied):
     * {@code {q (N, H, T, D), k (N, H_kv, T, D), v (N, H_kv, T, D)}}. Goes through {@link LayerOps#linear} /
     * {@link LayerOps#conv1d} under the model's module names.
     */
    Tensor[] project(Tensor normed);

    /**
     * Query head {@code head}'s {@code role} input alone (for a key or value: from the weights of the key/value head
     * it reads) from its own normed stream {@code (N, T, C)}, ready for attention: {@code (N, T, D)}. Float32 from the
     * model's weights, not routed through {@link LayerOps}.
     */
    Tensor projectHead(Role role, int head, Tensor normed);

    /**
     * Causal attention: {@code q (N, H, T, D)}, {@code k, v (N, H_kv or H, S, D)} → per-head outputs
     * {@code z (N, T, H, D)} (the model's scale; appends to the KV cache when there is one; passes through
     * {@link LayerOps#headOutputs}).
     */
    Tensor attend(Tensor q, Tensor k, Tensor v);

    /** The output projection of all heads, bias included: {@code z (N, T, H, D)} → {@code (N, T, C)}. */
    Tensor output(Tensor z);

    /** Head {@code head}'s share of the output projection, without bias: {@code z_h (N, T, D)} → {@code (N, T, C)}. */
    Tensor outputHead(int head, Tensor zh);

    /** The plain computation, as the model ran it before hooks: {@code output(attend(project(norm(residual))))}. */
    default Tensor forward(Tensor residual) {
        Tensor[] qkv = project(norm(residual));
        return output(attend(qkv[0], qkv[1], qkv[2]));
    }
}
