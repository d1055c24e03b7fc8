package dev.frugal.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * One N-way K-shot episode: {@code classes[n]} is the domain class playing episode label n; {@code support[n]} its K
 * support image indices and {@code query[n]} its Q query indices (indices into that class's images, disjoint).
 *
 * @param index   episode number (its seed is derived from the sampler's seed and this index)
 * @param classes (N) domain class of each episode label
 * @param support (N, K) image indices
 * @param query   (N, Q) image indices
 */
public record Episode(int index, int[] classes, int[][] support, int[][] query) {

    public Episode {
        if (classes.length != support.length || classes.length != query.length) {
            throw new IllegalArgumentException("classes, support and query disagree on N");
        }
    }

    public int ways() { return classes.length; }

    public int shots() { return support[0].length; }

    public int queries() { return query[0].length; }

    /** Support images in label-major order (label n's K images, then n + 1's): N·K images. */
    public List<float[]> supportImages(ImageSet set) { return gather(set, support); }

    /** Query images in label-major order: N·Q images. */
    public List<float[]> queryImages(ImageSet set) { return gather(set, query); }

    /** Labels {@code 0…N−1}, each repeated {@code perClass} times (label-major). */
    public static long[] labels(int ways, int perClass) {
        long[] y = new long[ways * perClass];
        for (int i = 0; i < y.length; i++) y[i] = i / perClass;
        return y;
    }

    private List<float[]> gather(ImageSet set, int[][] idx) {
        List<float[]> out = new ArrayList<>();
        for (int n = 0; n < classes.length; n++) {
            for (int i : idx[n]) out.add(set.images().get(classes[n]).get(i));
        }
        return out;
    }
}
