package dev.frugal.fewshot;

import dev.frugal.io.SafetensorsFile;
import dev.frugal.io.SafetensorsWriter;
import dev.frugal.tensor.GradMode;
import dev.frugal.tensor.Rng;
import dev.frugal.tensor.Scope;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import dev.frugal.vision.BackboneCheckpointException;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The codebook U (m, d) of source features that IDP reconstructs target features from: per source class, the local
 * features of some of its images clustered by k-means into {@code perClass} centroids (the authors' {@code source_cls},
 * {@code n} centroids per base class), concatenated over the classes: m = classes × perClass.
 */
public final class Codebook {
    private Codebook() {}

    /** Builds U from {@code images} images of each class of {@code source} with the backbone in eval mode. (m, d), kept. */
    public static Tensor build(ResNet backbone, ImageSet source, int images, int perClass, Rng rng) {
        List<Tensor> parts = new ArrayList<>();
        try (GradMode off = GradMode.off()) {
            for (int c = 0; c < source.classCount(); c++) {
                try (Scope s = Scope.open()) {
                    long[] perm = Tensors.randperm(source.count(c), rng).toLongArray();
                    List<float[]> batch = new ArrayList<>();
                    for (int i = 0; i < Math.min(images, perm.length); i++) batch.add(source.images().get(c).get((int) perm[i]));
                    Tensor f = backbone.localFeatures(source.stack(batch), false);            // (B, r, d)
                    Tensor x = f.reshape(f.size(0) * f.size(1), f.size(2));                  // (B·r, d)
                    parts.add(kmeans(x, perClass, 20, rng).keep());                          // (perClass, d)
                }
            }
            try (Scope s = Scope.open()) {
                Tensor u = Tensors.cat(parts, 0).keep();                                     // (m, d)
                parts.forEach(Tensor::close);
                return u;
            }
        }
    }

    /**
     * Lloyd's k-means of {@code x (n, d)} into {@code k} centroids (k ≤ n), initialised at k distinct random rows,
     * {@code iters} rounds; an empty cluster keeps its centroid. Returns (k, d).
     */
    static Tensor kmeans(Tensor x, int k, int iters, Rng rng) {
        long n = x.size(0), d = x.size(1);
        if (k > n) throw new IllegalArgumentException("k-means: " + k + " centroids from " + n + " points");
        Tensor c = x.indexSelect(0, Tensors.randperm(n, rng).narrow(0, 0, k));               // (k, d)
        Tensor x2 = x.pow(2).sum(1, true);                                                   // (n, 1)
        for (int it = 0; it < iters; it++) {
            Tensor dist = x2.sub(x.matmul(c.t()).mul(2)).add(c.pow(2).sum(1, false).unsqueeze(0)); // (n, k)
            Tensor assign = dist.neg().argmax(1, false);                                     // (n)
            Tensor sums = Tensors.zeros(k, d).indexAddInPlace(0, assign, x);                 // (k, d)
            Tensor counts = Tensors.zeros(k, 1).indexAddInPlace(0, assign, Tensors.ones(n, 1)); // (k, 1)
            Tensor empty = counts.eq(0.0);
            Tensor mean = sums.div(counts.clampMin(1));
            c = Tensors.where(empty.expand(k, d), c, mean);
        }
        return c;
    }

    /** Writes U as safetensors. */
    public static void save(Tensor u, Path file, String source) {
        try (Scope s = Scope.open()) {
            SafetensorsWriter.write(file, Map.of("codebook", u.contiguous()), Map.of("source", source));
        }
    }

    /** Reads U (m, d), kept. @throws BackboneCheckpointException naming the file when missing or malformed */
    public static Tensor load(Path file, long featureDim) {
        if (!Files.isRegularFile(file)) {
            throw new BackboneCheckpointException("codebook " + file + " does not exist; run `frugal fewshot pretrain` first");
        }
        try (SafetensorsFile f = SafetensorsFile.open(file); Scope s = Scope.open()) {
            if (!f.contains("codebook")) throw new BackboneCheckpointException(file + " holds no 'codebook' tensor");
            Tensor u = f.tensor("codebook");
            if (u.dim() != 2 || u.size(1) != featureDim) {
                throw new BackboneCheckpointException("codebook " + file + " has shape " + java.util.Arrays.toString(u.shape())
                        + ", not (m, " + featureDim + ") for this backbone; re-run `frugal fewshot pretrain`");
            }
            return u.cloneTensor().keep();
        }
    }
}
