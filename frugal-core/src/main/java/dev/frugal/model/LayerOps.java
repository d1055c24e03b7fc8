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
}
