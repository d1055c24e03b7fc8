package dev.frugal.depth;

import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training samples: every frame t with both neighbours in its sequence, i.e. the snippet (t−1, t, t+1) and the IMU
 * windows of the pairs (t−1, t) and (t, t+1), each cut to the same {@link #imuSteps()} samples (the last ones of the
 * window) so they batch. Epoch order is a seeded shuffle of (seed, epoch): a run resumed at step n replays the same
 * order.
 */
public final class Snippets {
    private final List<Sequence> seqs;
    private final List<int[]> items = new ArrayList<>();
    private final int imuSteps;

    public Snippets(List<Sequence> seqs) {
        if (seqs.isEmpty()) throw new IllegalArgumentException("no training sequences");
        this.seqs = List.copyOf(seqs);
        int w = seqs.get(0).width(), h = seqs.get(0).height(), steps = Integer.MAX_VALUE;
        for (int s = 0; s < seqs.size(); s++) {
            Sequence q = seqs.get(s);
            if (q.width() != w || q.height() != h)
                throw new IllegalArgumentException("sequence " + q.name() + " is " + q.width() + "x" + q.height() + " but " + seqs.get(0).name()
                        + " is " + w + "x" + h + ": all sequences of a run must have one size");
            for (int k = 0; k + 1 < q.frames(); k++) {
                int[] win = q.imuWindow(k);
                steps = Math.min(steps, win[1] - win[0] + 1);
            }
            for (int t = 1; t + 1 < q.frames(); t++) items.add(new int[] {s, t});
        }
        if (items.isEmpty()) throw new IllegalArgumentException("sequences need at least 3 frames for a snippet");
        this.imuSteps = steps;
    }

    public int size() { return items.size(); }

    public int imuSteps() { return imuSteps; }

    public int width() { return seqs.get(0).width(); }

    public int height() { return seqs.get(0).height(); }

    /** Item indices of epoch {@code e}, shuffled from (seed, e). */
    public int[] order(long seed, int epoch) {
        int[] o = new int[items.size()];
        for (int i = 0; i < o.length; i++) o[i] = i;
        Random r = new Random(seed * 1_000_003L + epoch);
        for (int i = o.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** A batch: {prev, target, next} images {@code (B, 3, H, W)} in [0, 1], IMU {@code (B, T, 6)} of (t−1,t) and (t,t+1). */
    public Tensor[] batch(int[] idx) {
        int h = height(), w = width(), b = idx.length;
        float[][] img = new float[3][b * 3 * h * w];
        float[][] imu = new float[2][b * imuSteps * 6];
        for (int i = 0; i < b; i++) {
            int[] it = items.get(idx[i]);
            Sequence q = seqs.get(it[0]);
            for (int f = 0; f < 3; f++) toChw(q.rgb().get(it[1] - 1 + f), img[f], i * 3 * h * w, h * w);
            for (int pair = 0; pair < 2; pair++) imuWindow(q, it[1] - 1 + pair, imu[pair], i * imuSteps * 6, imuSteps);
        }
        return new Tensor[] {Tensors.fromFloats(img[0], b, 3, h, w), Tensors.fromFloats(img[1], b, 3, h, w),
                Tensors.fromFloats(img[2], b, 3, h, w), Tensors.fromFloats(imu[0], b, imuSteps, 6), Tensors.fromFloats(imu[1], b, imuSteps, 6)};
    }

    /** HWC bytes → CHW floats in [0, 1] at {@code out[off…]}. */
    static void toChw(byte[] rgb, float[] out, int off, int px) {
        for (int p = 0; p < px; p++)
            for (int c = 0; c < 3; c++) out[off + c * px + p] = (rgb[3 * p + c] & 255) / 255f;
    }

    /** The last {@code steps} IMU samples of the window of pair (k, k+1), normalised, at {@code out[off…]}. */
    static void imuWindow(Sequence q, int k, float[] out, int off, int steps) {
        int[] win = q.imuWindow(k);
        int first = win[1] - steps + 1;
        for (int s = 0; s < steps; s++) {
            float[] m = q.imu()[first + s];
            for (int c = 0; c < 3; c++) {
                out[off + 6 * s + c] = (float) (m[c] / 981.0);
                out[off + 6 * s + 3 + c] = m[3 + c];
            }
        }
    }
}
