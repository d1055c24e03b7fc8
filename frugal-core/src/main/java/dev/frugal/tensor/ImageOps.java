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

    /** Bilinear resize of {@code (B, C, H, W)} to {@code (B, C, h, w)} (PyTorch {@code interpolate(..., "bilinear")}). */
    public static Tensor resizeBilinear(Tensor x, long h, long w, boolean alignCorners) {
        return Tensor.wrap(torch.upsample_bilinear2d(x.raw(), new long[] {h, w}, alignCorners));
    }

    /** Nearest-neighbour upsampling of {@code (B, C, H, W)} by an integer factor (each pixel repeated factor² times). */
    public static Tensor upsampleNearest(Tensor x, int factor) {
        return x.repeatInterleave(factor, 2).repeatInterleave(factor, 3);
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
}
