package dev.frugal.tensor;

import org.bytedeco.pytorch.LongArrayRefOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Image and signal ops for dense prediction (depth, warping, spectral filtering): PyTorch's {@code grid_sample},
 * {@code interpolate}, pooling and padding, {@code fft.rfft2 / irfft2}, biased strided convolution and the LSTM cell.
 * Images are {@code (B, C, H, W)}.
 */
public final class ImageOps {
    private ImageOps() {}

    /** What {@link #gridSample} returns for sampling points outside the image. */
    public enum Padding {
        ZEROS(0), BORDER(1), REFLECTION(2);

        final long code;

        Padding(long code) { this.code = code; }
    }

    /**
     * Bilinear sampling of {@code x (B, C, H, W)} at {@code grid (B, Ho, Wo, 2)} holding normalised {@code (x, y)} in
     * [−1, 1]; with {@code alignCorners} −1 and 1 are the centres of the corner pixels → {@code (B, C, Ho, Wo)}.
     */
    public static Tensor gridSample(Tensor x, Tensor grid, Padding padding, boolean alignCorners) {
        return Tensor.wrap(torch.grid_sampler(x.raw(), grid.raw(), 0, padding.code, alignCorners));
    }

    /**
     * {@link #gridSample} for grids that may hold NaN or huge coordinates (a projection through a point near the
     * camera plane): they are mapped to finite values and clamped to [−2, 2] first. libtorch's CPU backward of
     * {@code grid_sampler_2d} read out of bounds (SIGSEGV) on a grid with NaN here; border and zero padding give the
     * same samples with the clamped grid.
     */
    public static Tensor gridSampleSafe(Tensor x, Tensor grid, Padding padding, boolean alignCorners) {
        Tensor g = Tensor.wrap(torch.nan_to_num(grid.raw(), new org.bytedeco.pytorch.DoubleOptional(0),
                new org.bytedeco.pytorch.DoubleOptional(2), new org.bytedeco.pytorch.DoubleOptional(-2))).clamp(-2, 2);
        return gridSample(x, g, padding, alignCorners);
    }

    /**
     * Bilinear sampling with border padding and aligned corners, built from {@code gather}: the same samples as
     * {@link #gridSample}{@code (x, grid, BORDER, true)}, differentiable in {@code grid} (through the bilinear weights)
     * and in {@code x}. Used for training: its indices are clamped before any memory is read, while libtorch's CPU
     * {@code grid_sampler_2d} backward crashed the JVM (SIGSEGV) here when NaN coordinates reached it (they came from
     * NaN gradients elsewhere, see docs/depth.md). {@code x (B, C, H, W)}, {@code grid (B, Ho, Wo, 2)}.
     */
    public static Tensor bilinearSampleBorder(Tensor x, Tensor grid) {
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), ho = grid.size(1), wo = grid.size(2), n = ho * wo;
        Tensor g = Tensor.wrap(torch.nan_to_num(grid.raw(), new org.bytedeco.pytorch.DoubleOptional(0),
                new org.bytedeco.pytorch.DoubleOptional(2), new org.bytedeco.pytorch.DoubleOptional(-2))).reshape(b, n, 2);
        Tensor px = g.select(2, 0).add(1).mul((w - 1) / 2.0).clamp(0, w - 1);                 // (B, N) pixel x
        Tensor py = g.select(2, 1).add(1).mul((h - 1) / 2.0).clamp(0, h - 1);
        Tensor x0 = Tensor.wrap(torch.floor(px.detach().raw())).clamp(0, Math.max(0, w - 2));
        Tensor y0 = Tensor.wrap(torch.floor(py.detach().raw())).clamp(0, Math.max(0, h - 2));
        Tensor wx = px.sub(x0), wy = py.sub(y0);                                               // in [0, 1]
        long dx = w > 1 ? 1 : 0, dy = h > 1 ? 1 : 0;
        Tensor flat = x.reshape(b, c, h * w);
        Tensor base = y0.mul(w).add(x0).to(DType.I64);                                          // (B, N)
        Tensor v00 = gatherPixels(flat, base, c), v01 = gatherPixels(flat, base.add(dx), c);
        Tensor v10 = gatherPixels(flat, base.add(dy * w), c), v11 = gatherPixels(flat, base.add(dy * w + dx), c);
        Tensor ax = wx.unsqueeze(1), ay = wy.unsqueeze(1);                                     // (B, 1, N)
        Tensor top = v00.add(v01.sub(v00).mul(ax)), bottom = v10.add(v11.sub(v10).mul(ax));
        return top.add(bottom.sub(top).mul(ay)).reshape(b, c, ho, wo);
    }

    private static Tensor gatherPixels(Tensor flat, Tensor index, long c) {
        return flat.gather(2, index.unsqueeze(1).expand(index.size(0), c, index.size(1)));
    }

    /** Bilinear resize of {@code (B, C, H, W)} to {@code (B, C, h, w)} (PyTorch {@code interpolate(..., "bilinear")}). */
    public static Tensor resizeBilinear(Tensor x, long h, long w, boolean alignCorners) {
        return Tensor.wrap(torch.upsample_bilinear2d(x.raw(), new long[] {h, w}, alignCorners));
    }

    /** Nearest-neighbour upsampling of {@code (B, C, H, W)} by an integer factor (each pixel repeated factor² times). */
    public static Tensor upsampleNearest(Tensor x, int factor) {
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        // a broadcast view and one copy; its backward is a sum (repeat_interleave's backward gave NaN gradients with
        // 2 ATen threads here)
        return x.reshape(b, c, h, 1, w, 1).expand(b, c, h, factor, w, factor).reshape(b, c, h * factor, w * factor);
    }

    /** Average pooling, square window, no padding. */
    public static Tensor avgPool2d(Tensor x, long kernel, long stride) {
        return Tensor.wrap(torch.avg_pool2d(x.raw(), new long[] {kernel, kernel}, new long[] {stride, stride}, new long[] {0, 0},
                false, true, new LongOptional()));
    }

    /** Max pooling with padding (ResNet stem). */
    public static Tensor maxPool2d(Tensor x, long kernel, long stride, long padding) {
        return Tensor.wrap(torch.max_pool2d(x.raw(), new long[] {kernel, kernel}, new long[] {stride, stride},
                new long[] {padding, padding}, new long[] {1, 1}, false));
    }

    /** Reflection padding by {@code p} on all four sides. */
    public static Tensor reflectionPad(Tensor x, long p) { return Tensor.wrap(torch.reflection_pad2d(x.raw(), p, p, p, p)); }

    /** 2-D convolution with optional bias (null), square stride, zero padding: {@code (B, C, H, W)} → {@code (B, O, H', W')}. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, long stride, long padding) {
        return Tensor.wrap(torch.conv2d(x.raw(), w.raw(), Tensor.opt(bias), new long[] {stride, stride}, new long[] {padding, padding},
                new long[] {1, 1}, 1));
    }

    public static Tensor elu(Tensor x) { return Tensor.wrap(torch.elu(x.raw())); }

    /** Mean over the spatial dimensions: {@code (B, C, H, W)} → {@code (B, C)}. */
    public static Tensor spatialMean(Tensor x) {
        return Tensor.wrap(x.raw().mean(new long[] {2, 3}, false, new ScalarTypeOptional()));
    }

    /** Mean over {@code dims}. */
    public static Tensor mean(Tensor x, long[] dims, boolean keepdim) {
        return Tensor.wrap(x.raw().mean(dims, keepdim, new ScalarTypeOptional()));
    }

    /** Minimum along {@code dim} (values only). */
    public static Tensor min(Tensor x, int dim, boolean keepdim) {
        T_TensorTensor_T r = torch.min(x.raw(), dim, keepdim);
        return Tensor.wrap(r.get0());
    }

    /** Elementwise minimum. */
    public static Tensor minimum(Tensor a, Tensor b) { return Tensor.wrap(torch.minimum(a.raw(), b.raw())); }

    /** Real 2-D FFT over the last two dimensions: {@code (…, H, W)} real → {@code (…, H, W/2+1)} complex ("backward" norm). */
    public static Tensor rfft2(Tensor x) {
        return Tensor.wrap(torch.fft_rfft2(x.raw(), new LongArrayRefOptional(), new long[] {-2, -1}, new StringViewOptional()));
    }

    /** Inverse of {@link #rfft2} back to {@code (…, h, w)} real. */
    public static Tensor irfft2(Tensor spectrum, long h, long w) {
        return Tensor.wrap(torch.fft_irfft2(spectrum.raw(), new long[] {h, w}, new long[] {-2, -1}, new StringViewOptional()));
    }

    /** |z| of a complex tensor (real result). */
    public static Tensor complexAbs(Tensor z) { return Tensor.wrap(z.raw().abs()); }

    /**
     * One LSTM step (PyTorch's {@code LSTMCell}, gates i, f, g, o): x {@code (B, I)}, h and c {@code (B, H)}, wIh
     * {@code (4H, I)}, wHh {@code (4H, H)}, biases {@code (4H)} → {h', c'}.
     */
    public static Tensor[] lstmCell(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        T_TensorTensor_T r = torch.lstm_cell(x.raw(), new TensorVector(h.raw(), c.raw()), wIh.raw(), wHh.raw(),
                new TensorOptional(bIh.raw()), new TensorOptional(bHh.raw()));
        return new Tensor[] {Tensor.wrap(r.get0()), Tensor.wrap(r.get1())};
    }

    /** {@code x^T} batched: swaps the last two dimensions. */
    public static Tensor transposeLast(Tensor x) { return x.transpose(x.dim() - 2, x.dim() - 1); }

    /** Elementwise {@code clamp(x, min)} keeping gradients where inside (alias of clamp_min, for readability). */
    public static Tensor atLeast(Tensor x, double min) { return Tensor.wrap(torch.clamp_min(x.raw(), new Scalar(min))); }

    /** Whether libtorch may use oneDNN (MKL-DNN) kernels, e.g. for convolutions (process-wide). */
    public static boolean oneDnnEnabled() {
        Backend.ensureLoaded();
        return torch.globalContext().userEnabledMkldnn();
    }

    /**
     * Turns oneDNN kernels on or off process-wide. Off, CPU convolutions use libtorch's native im2col + GEMM path. The
     * depth trainer turns it off: oneDNN's convolutions gave NaN gradients nondeterministically here (small feature
     * maps, AVX2 EPYC), the native path did not (docs/depth.md).
     */
    public static void setOneDnnEnabled(boolean on) {
        Backend.ensureLoaded();
        torch.globalContext().setUserEnabledMkldnn(on);
    }

    /**
     * Runs {@code work} with oneDNN off and restores the previous setting after it: the convolutional trainers (depth,
     * few-shot pretraining and adaptation) all need this, see {@link #setOneDnnEnabled}. The setting is process-wide,
     * so concurrent callers (Spark tasks in one executor JVM) share one count: the first turns oneDNN off, the last to
     * leave restores it; otherwise one task's restore switched oneDNN back on under another task still running.
     */
    public static <T> T withoutOneDnn(java.util.function.Supplier<T> work) {
        synchronized (ONE_DNN_LOCK) {
            if (oneDnnOffCount++ == 0) {
                oneDnnBefore = oneDnnEnabled();
                setOneDnnEnabled(false);
            }
        }
        try {
            return work.get();
        } finally {
            synchronized (ONE_DNN_LOCK) {
                if (--oneDnnOffCount == 0) setOneDnnEnabled(oneDnnBefore);
            }
        }
    }

    private static final Object ONE_DNN_LOCK = new Object();
    private static int oneDnnOffCount;      // callers inside withoutOneDnn, guarded by ONE_DNN_LOCK
    private static boolean oneDnnBefore;    // the setting to restore when the count returns to 0
}
