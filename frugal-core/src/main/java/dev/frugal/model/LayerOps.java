package dev.frugal.model;

import dev.frugal.tensor.NN;
import dev.frugal.tensor.Tensor;

/**
 * The layer calls every model routes through, named by their Hugging Face module name (e.g.
 * {@code "model.layers.0.self_attn.q_proj"}). The default computes them plainly; systems substitute their own: DP
 * clipping captures activations and output gradients, activation patching replaces head outputs, low-precision
 * inference swaps the weights.
 */
public interface LayerOps {
    /** The plain implementation. */
    LayerOps PLAIN = new LayerOps() {};

    /** {@code x (…, in) @ w^T (out, in) + b (out)} → (…, out). */
    default Tensor linear(String module, Tensor x, Tensor w, Tensor b) { return NN.linear(x, w, b); }

    /** GPT-2's Conv1D: {@code x (…, in) @ w (in, out) + b (out)} → (…, out). */
    default Tensor conv1d(String module, Tensor x, Tensor w, Tensor b) {
        return NN.linear(x, w.t(), b);
    }

    /** Rows of {@code table (V, C)} at {@code ids (…)} → (…, C). */
    default Tensor embedding(String module, Tensor table, Tensor ids) { return NN.embedding(table, ids); }

    default Tensor layerNorm(String module, Tensor x, Tensor w, Tensor b, double eps) { return NN.layerNorm(x, w, b, eps); }

    default Tensor rmsNorm(String module, Tensor x, Tensor w, double eps) { return NN.rmsNorm(x, w, eps); }

    /**
     * Per-head attention outputs of layer {@code layer} before the output projection, {@code (B, T, H, D)}; the
     * returned tensor (same shape) is what the projection sees. Circuit discovery patches heads here.
     */
    default Tensor headOutputs(int layer, Tensor perHead) { return perHead; }

    /**
     * The residual stream {@code (B, T, C)} entering block {@code layer}, or entering the final norm and LM head when
     * {@code layer} equals the number of blocks; the block (head) reads what this returns. Pre-LN decoders only
     * (GPT-2, pre-LN OPT, Llama, Qwen3) have a residual stream that is the sum of the outputs before it.
     */
    default Tensor residual(int layer, Tensor h) { return h; }

    /**
     * Block {@code parts.layer()}'s attention on the residual stream {@code (B, T, C)}: its contribution to the
     * stream {@code (B, T, C)}. The default runs {@link AttentionParts#forward}; circuit discovery feeds heads their
     * own inputs.
     */
    default Tensor attention(AttentionParts parts, Tensor residual) { return parts.forward(residual); }

    /**
     * Block {@code parts.layer()}'s MLP on the residual stream {@code (B, T, C)}: its contribution to the stream. The
     * default runs {@link MlpParts#forward}.
     */
    default Tensor mlp(MlpParts parts, Tensor residual) { return parts.forward(residual); }
}
