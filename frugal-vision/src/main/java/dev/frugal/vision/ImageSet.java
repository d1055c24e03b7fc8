package dev.frugal.vision;

import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled image domain held in memory: {@code images.get(c).get(i)} is image i of class c, {@code channels × size ×
 * size} floats in [0, 1], channel-major (CHW).
 *
 * @param name       domain name (for logs, errors, metrics)
 * @param classNames one name per class
 * @param images     per class, its images
 * @param channels   1 (grey) or 3 (RGB)
 * @param size       side in pixels
 */
public record ImageSet(String name, List<String> classNames, List<List<float[]>> images, int channels, int size) {

    public ImageSet {
        classNames = List.copyOf(classNames);
        List<List<float[]>> copy = new ArrayList<>();
        for (List<float[]> c : images) copy.add(List.copyOf(c));
        images = List.copyOf(copy);
        if (classNames.size() != images.size()) {
            throw new IllegalArgumentException(name + ": " + classNames.size() + " class names for " + images.size() + " classes");
        }
        if (channels != 1 && channels != 3) throw new IllegalArgumentException(name + ": channels must be 1 or 3, got " + channels);
        int n = channels * size * size;
        for (int c = 0; c < images.size(); c++) {
            for (float[] im : images.get(c)) {
                if (im.length != n) {
                    throw new IllegalArgumentException(name + ": an image of class " + classNames.get(c) + " has "
                            + im.length + " values, expected " + n);
                }
            }
        }
    }

    public int classCount() { return images.size(); }

    /** Images in class {@code c}. */
    public int count(int c) { return images.get(c).size(); }

    /** Total number of images. */
    public int total() { return images.stream().mapToInt(List::size).sum(); }

    /** The given images stacked: {@code (B, C, S, S)}. */
    public Tensor stack(List<float[]> batch) {
        int n = channels * size * size;
        float[] all = new float[batch.size() * n];
        for (int i = 0; i < batch.size(); i++) System.arraycopy(batch.get(i), 0, all, i * n, n);
        return Tensors.fromFloats(all, batch.size(), channels, size, size);
    }

    /** The first {@code perClass} images of every class (a smaller set with the same classes). */
    public ImageSet limit(int perClass) {
        List<List<float[]>> out = new ArrayList<>();
        for (List<float[]> c : images) out.add(c.subList(0, Math.min(perClass, c.size())));
        return new ImageSet(name, classNames, out, channels, size);
    }
}
