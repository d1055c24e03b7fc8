package dev.frugal.vision;

import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * Seeded image augmentation on CHW float images: random resized crop (scale in [minCropArea, 1], aspect ratio in
 * [3/4, 4/3], bilinear resampling back to full size), horizontal flip, brightness and contrast. All randomness comes
 * from the given {@link Rng} (seven uniforms per image, drawn as one tensor), so the same seed gives the same images.
 */
public final class Augmenter {
    private final AugmentConfig config;

    public Augmenter(AugmentConfig config) { this.config = config; }

    /** Augmented copies of {@code images} ({@code channels × size × size} each). */
    public List<float[]> apply(List<float[]> images, int channels, int size, Rng rng) {
        float[] u;
        try (Scope s = Scope.open()) {
            u = Tensors.rand(rng, Math.max(1, images.size()), 7).toFloatArray();               // (B, 7) uniforms
        }
        List<float[]> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) out.add(one(images.get(i), channels, size, u, 7 * i));
        return out;
    }

    private float[] one(float[] im, int channels, int size, float[] u, int o) {
        double area = config.minCropArea() + (1 - config.minCropArea()) * u[o];
        double logR = Math.log(3.0 / 4) + (Math.log(4.0 / 3) - Math.log(3.0 / 4)) * u[o + 1];
        double ratio = Math.exp(logR);
        double cw = Math.min(size, size * Math.sqrt(area * ratio));
        double ch = Math.min(size, size * Math.sqrt(area / ratio));
        double x0 = (size - cw) * u[o + 2], y0 = (size - ch) * u[o + 3];
        boolean flip = config.flip() && u[o + 4] < 0.5f;
        double bf = 1 + config.brightness() * (2 * u[o + 5] - 1);
        double cf = 1 + config.contrast() * (2 * u[o + 6] - 1);
        float[] out = new float[im.length];
        int plane = size * size;
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double sx = x0 + (x + 0.5) * cw / size - 0.5, sy = y0 + (y + 0.5) * ch / size - 0.5;
                    if (flip) sx = x0 + (size - x - 0.5) * cw / size - 0.5;
                    float v = (float) (bilinear(im, c * plane, size, sx, sy) * bf);
                    out[c * plane + y * size + x] = v;
                    mean += v;
                }
            }
            mean /= plane;
            for (int i = 0; i < plane; i++) {
                double v = (out[c * plane + i] - mean) * cf + mean;
                out[c * plane + i] = (float) Math.max(0, Math.min(1, v));
            }
        }
        return out;
    }

    /** Bilinear sample of plane at {@code off} at (sx, sy), clamped to the border. */
    static double bilinear(float[] im, int off, int size, double sx, double sy) {
        sx = Math.max(0, Math.min(size - 1, sx));
        sy = Math.max(0, Math.min(size - 1, sy));
        int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
        int x1 = Math.min(size - 1, x0 + 1), y1 = Math.min(size - 1, y0 + 1);
        double fx = sx - x0, fy = sy - y0;
        double a = im[off + y0 * size + x0] * (1 - fx) + im[off + y0 * size + x1] * fx;
        double b = im[off + y1 * size + x0] * (1 - fx) + im[off + y1 * size + x1] * fx;
        return a * (1 - fy) + b * fy;
    }
}
