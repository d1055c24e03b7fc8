package dev.frugal.tensor;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** Neural-network functions (PyTorch's {@code torch.nn.functional}). */
public final class NN {
    private NN() {}

    /** {@code x @ W^T + b}: x (…, in), W (out, in), b (out) or null → (…, out). */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return Tensor.wrap(b == null ? torch.linear(x.raw(), w.raw()) : torch.linear(x.raw(), w.raw(), new TensorOptional(b.raw())));
    }

    /** Rows of {@code table} (V, C) at {@code ids} (…) → (…, C). */
    public static Tensor embedding(Tensor table, Tensor ids) { return Tensor.wrap(torch.embedding(table.raw(), ids.raw())); }

    /** LayerNorm over the last dimension; weight and bias may be null. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return Tensor.wrap(torch.layer_norm(x.raw(), new long[] {x.size(-1)}, Tensor.opt(weight), Tensor.opt(bias), eps, false));
    }

    /**
     * RMSNorm as Hugging Face's Llama/Qwen3 compute it: {@code w * (x * rsqrt(mean(x², -1) + eps))}, in float32.
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        DType in = x.dtype();
        Tensor h = in == DType.F32 ? x : x.to(DType.F32);
        Tensor normed = h.mul(h.pow(2).mean(-1, true).add(eps).rsqrt());
        if (in != DType.F32) normed = normed.to(in);
        return weight == null ? normed : weight.mul(normed);
    }

    public static Tensor softmax(Tensor x, int dim) { return Tensor.wrap(torch.softmax(x.raw(), dim)); }

    public static Tensor logSoftmax(Tensor x, int dim) { return Tensor.wrap(torch.log_softmax(x.raw(), dim)); }

    /** GELU with the exact erf form (BERT's "gelu"). */
    public static Tensor gelu(Tensor x) { return Tensor.wrap(torch.gelu(x.raw())); }

    /** GELU with the tanh approximation (GPT-2's "gelu_new"). */
    public static Tensor geluTanh(Tensor x) { return Tensor.wrap(torch.gelu(x.raw(), "tanh")); }

    public static Tensor silu(Tensor x) { return Tensor.wrap(torch.silu(x.raw())); }

    /**
     * Scaled dot-product attention. q (B, H, T, D), k/v (B, Hkv, S, D); {@code mask} is a boolean "attend" mask
     * broadcastable to (B, H, T, S) (true = keep) or null; {@code causal} adds the causal mask (only when mask is null).
     * With {@code gqa} the kv heads are shared by groups of H/Hkv query heads.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, boolean gqa) {
        return Tensor.wrap(torch.scaled_dot_product_attention(q.raw(), k.raw(), v.raw(), Tensor.opt(mask), 0.0, causal,
                new DoubleOptional(scale), gqa));
    }

    /**
     * Mean cross-entropy over the rows whose target is not {@code ignoreIndex}: logits (N, C), targets (N) int64.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        return Tensor.wrap(torch.cross_entropy_loss(logits.raw(), targets.raw(), new TensorOptional(), 1, ignoreIndex, 0.0));
    }

    /** Per-row cross-entropy (reduction none); ignored rows give 0. */
    public static Tensor crossEntropyPerRow(Tensor logits, Tensor targets, long ignoreIndex) {
        return Tensor.wrap(torch.cross_entropy_loss(logits.raw(), targets.raw(), new TensorOptional(), 0, ignoreIndex, 0.0));
    }

    /** The k largest values along the last dimension and their indices, sorted descending. */
    public static Tensor[] topk(Tensor x, long k) {
        T_TensorTensor_T r = torch.topk(x.raw(), k, -1, true, true);
        return new Tensor[] {Tensor.wrap(r.get0()), Tensor.wrap(r.get1())};
    }

    /** Sorts the last dimension descending: {values, indices}. */
    public static Tensor[] sortDescending(Tensor x) {
        T_TensorTensor_T r = torch.sort(x.raw(), -1, true);
        return new Tensor[] {Tensor.wrap(r.get0()), Tensor.wrap(r.get1())};
    }

    /** One draw per row from the categorical distributions {@code probs} (…, C) using {@code rng}: int64 (…, 1). */
    public static Tensor multinomial(Tensor probs, Rng rng) {
        return Tensor.wrap(torch.multinomial(probs.raw(), 1, false, rng.optional()));
    }

    // ---- added for dp
    /**
     * Sliding local blocks: {@code x (B, C, H, W)} → patches {@code (B, L, C·k·k)} with {@code L = H'·W'} output
     * positions in row-major order and each patch in {@code (C, kh, kw)} order, so that a convolution with weight
     * {@code W (O, C, k, k)} is {@code patches @ W.view(O, -1)ᵀ}. Built from strided views and one copy: libtorch's
     * {@code im2col} took 23 s where this takes 0.8 s for (2048, 1, 28, 28), k = 8, here.
     */
    public static Tensor unfold(Tensor x, long kernel, long stride, long padding) {
        org.bytedeco.pytorch.Tensor xp = padding > 0
                ? torch.constant_pad_nd(x.raw(), new long[] {padding, padding, padding, padding}) : x.raw();
        org.bytedeco.pytorch.Tensor w = xp.unfold(2, kernel, stride).unfold(3, kernel, stride); // (B, C, H', W', k, k)
        long b = x.size(0), c = x.size(1), h = w.size(2), ww = w.size(3);
        return Tensor.wrap(w.permute(0, 2, 3, 1, 4, 5).reshape(b, h * ww, c * kernel * kernel));
    }

    /** 2-D max pooling of {@code x (B, C, H, W)} with a square window, no padding. */
    public static Tensor maxPool2d(Tensor x, long kernel, long stride) {
        return Tensor.wrap(torch.max_pool2d(x.raw(), new long[] {kernel, kernel}, new long[] {stride, stride},
                new long[] {0, 0}, new long[] {1, 1}, false));
    }

    // ---- added for dp-speed
    /**
     * 2-D convolution of {@code x (B, C, H, W)} with {@code w (O, C, k, k)}, square stride and zero padding, no bias
     * → {@code (B, O, H', W')} (libtorch's oneDNN/native kernels and their backward).
     */
    public static Tensor conv2d(Tensor x, Tensor w, long stride, long padding) {
        return Tensor.wrap(torch.conv2d(x.raw(), w.raw(), new TensorOptional(), new long[] {stride, stride},
                new long[] {padding, padding}, new long[] {1, 1}, 1));
    }

    // ---- added for vision (BatchNorm; the same signature may arrive from the few-shot branch)
    /**
     * Batch normalisation of {@code x (B, C, …)} over all but the channel dimension: in training, batch statistics
     * and the running buffers are updated in place ({@code running = (1 − momentum)·running + momentum·batch}); in
     * evaluation the running statistics are used. weight/bias {@code (C)} may be null.
     */
    public static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
            double momentum, double eps) {
        return Tensor.wrap(torch.batch_norm(x.raw(), Tensor.opt(weight), Tensor.opt(bias), Tensor.opt(runningMean),
                Tensor.opt(runningVar), training, momentum, eps, false));
    }
}
