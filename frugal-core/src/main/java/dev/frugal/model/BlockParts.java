package dev.frugal.model;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/**
 * What the {@link AttentionParts} and {@link MlpParts} of every decoder share, so that each architecture writes only
 * its own projections and norms: the block's index, parameter group and module prefix, causal attention through the
 * KV cache and {@link LayerOps#headOutputs}, and one head's slice of an {@code nn.Linear} projection.
 */
public final class BlockParts {
    private BlockParts() {}

    /** The shared half of a decoder block's {@link AttentionParts}. */
    public abstract static class Attention implements AttentionParts {
        protected final int layer;
        protected final ParamGroup g;
        /** The block's module prefix, e.g. {@code model.layers.3.}. */
        protected final String prefix;
        protected final ForwardContext ctx;
        private final int heads;
        private final int kvHeads;
        private final int headDim;
        private final double scale;

        /**
         * @param scale the factor the attention scores are multiplied by (the model's own expression of it)
         */
        protected Attention(int layer, ParamGroup g, String prefix, ForwardContext ctx, int heads, int kvHeads,
                            int headDim, double scale) {
            this.layer = layer;
            this.g = g;
            this.prefix = prefix;
            this.ctx = ctx;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            this.scale = scale;
        }

        @Override
        public int layer() { return layer; }

        @Override
        public int heads() { return heads; }

        @Override
        public int kvHeads() { return kvHeads; }

        @Override
        public int headDim() { return headDim; }

        /** Appends k, v to the cache when there is one, then SDPA (grouped-query when H_kv < H) and the hook. */
        @Override
        public Tensor attend(Tensor q, Tensor k, Tensor v) {
            if (ctx.cache() != null) {
                Tensor[] kv = ctx.cache().append(layer, k, v); // (B, H_kv, S, D)
                k = kv[0];
                v = kv[1];
            }
            Tensor o = NN.attention(q, k, v, ctx.attendMask(), ctx.isCausalOnly(), scale, kvHeads != heads); // (B, H, T, D)
            return ctx.ops().headOutputs(layer, o.transpose(1, 2)); // (B, T, H, D)
        }

        /**
         * Rows {@code head·D .. head·D+D} of the {@code nn.Linear} {@code module} (weight {@code (H·D, C)}) applied to
         * {@code x (…, C)}: {@code (…, D)}, with the bias rows when {@code bias}.
         */
        protected Tensor headRows(String module, int head, Tensor x, boolean bias) {
            long off = (long) head * headDim;
            return NN.linear(x, g.get(module + ".weight").narrow(0, off, headDim),
                    bias ? g.get(module + ".bias").narrow(0, off, headDim) : null);
        }

        /**
         * {@code z_h (…, D)} through columns {@code head·D .. head·D+D} of the {@code nn.Linear} {@code module}
         * (weight {@code (C, H·D)}), without bias: {@code (…, C)}.
         */
        protected Tensor headColumns(String module, int head, Tensor zh) {
            return zh.matmul(g.get(module + ".weight").narrow(1, (long) head * headDim, headDim).t()); // (…, D) @ (D, C)
        }
    }

    /** The shared half of a decoder block's {@link MlpParts}. */
    public abstract static class Mlp implements MlpParts {
        protected final int layer;
        protected final ParamGroup g;
        /** The block's module prefix. */
        protected final String prefix;
        protected final LayerOps ops;

        protected Mlp(int layer, ParamGroup g, String prefix, LayerOps ops) {
            this.layer = layer;
            this.g = g;
            this.prefix = prefix;
            this.ops = ops;
        }

        @Override
        public int layer() { return layer; }
    }
}
