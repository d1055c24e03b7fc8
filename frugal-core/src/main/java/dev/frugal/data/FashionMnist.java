package dev.frugal.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 60,000 training and 10,000 test grey-scale 28×28 images of ten
 * clothing classes, read from the four gzip IDX files of Debian's {@code dataset-fashion-mnist}.
 *
 * @param trainImages {@code (60000, 28, 28)} unsigned bytes
 * @param trainLabels {@code (60000)} class indices 0..9
 * @param testImages  {@code (10000, 28, 28)}
 * @param testLabels  {@code (10000)}
 */
public record FashionMnist(IdxFile trainImages, IdxFile trainLabels, IdxFile testImages, IdxFile testLabels) {

    /** Class names by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    public FashionMnist {
        Objects.requireNonNull(trainImages, "trainImages");
        Objects.requireNonNull(trainLabels, "trainLabels");
        Objects.requireNonNull(testImages, "testImages");
        Objects.requireNonNull(testLabels, "testLabels");
        if (trainImages.dims()[0] != trainLabels.dims()[0] || testImages.dims()[0] != testLabels.dims()[0]) {
            throw new IllegalArgumentException("image and label counts differ");
        }
    }

    /** Loads the installed set, verifying it first (installing it when missing). */
    public static FashionMnist load() {
        return read(DatasetRegistry.atHome().ensure(DatasetName.FMNIST));
    }

    /**
     * Reads the four IDX files in {@code dir}.
     *
     * @throws DatasetFormatException naming a file that is corrupt, truncated or of the wrong kind
     */
    public static FashionMnist read(Path dir) {
        IdxFile trainImages = images(dir.resolve("train-images-idx3-ubyte.gz"));
        IdxFile trainLabels = labels(dir.resolve("train-labels-idx1-ubyte.gz"), trainImages);
        IdxFile testImages = images(dir.resolve("t10k-images-idx3-ubyte.gz"));
        IdxFile testLabels = labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), testImages);
        return new FashionMnist(trainImages, trainLabels, testImages, testLabels);
    }

    private static IdxFile images(Path file) {
        IdxFile f = IdxFile.readGz(file, IdxFile.IMAGES_MAGIC);
        if (f.dims()[1] != 28 || f.dims()[2] != 28) {
            throw new DatasetFormatException(file, "images are " + f.dims()[1] + "x" + f.dims()[2] + ", not 28x28",
                    null);
        }
        return f;
    }

    private static IdxFile labels(Path file, IdxFile images) {
        IdxFile f = IdxFile.readGz(file, IdxFile.LABELS_MAGIC);
        if (f.dims()[0] != images.dims()[0]) {
            throw new DatasetFormatException(file, f.dims()[0] + " labels for " + images.dims()[0] + " images", null);
        }
        for (byte b : f.data()) {
            if (b < 0 || b > 9) {
                throw new DatasetFormatException(file, "label " + (b & 0xff) + " outside 0..9", null);
            }
        }
        return f;
    }

    /** Image {@code i} of {@code images} as 784 floats in [0, 1], row-major. */
    public static float[] pixels(IdxFile images, int i) {
        int size = images.dims()[1] * images.dims()[2];
        float[] out = new float[size];
        byte[] d = images.data();
        for (int k = 0; k < size; k++) {
            out[k] = (d[i * size + k] & 0xff) / 255f;
        }
        return out;
    }
}
