package dev.frugal.vision;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a domain laid out as one folder per class ({@code DIR/CLASS/IMAGE.png|jpg}), the way a user brings their own
 * domain. Every file (dot-files excepted) must be an image {@code javax.imageio} reads (PNG, JPEG, BMP, GIF); all must
 * have the same number of colour channels (grey or RGB; alpha is dropped). Images are resized (bilinear) to
 * {@code size × size}; RGB folders are converted to grey luminance when {@code channels} is 1.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /**
     * Reads {@code dir}.
     *
     * @throws ImageDataException naming the folder when it holds no class folders, or the first file that is not a
     *                            readable image or whose channel count differs from the first image's
     */
    public static ImageSet read(Path dir, int size, int channels) {
        if (!Files.isDirectory(dir)) throw new ImageDataException(dir, "is not a folder (expected one sub-folder per class)");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !hidden(p)).sorted().toList();
        } catch (IOException e) {
            throw new ImageDataException(dir, "cannot be listed: " + e.getMessage());
        }
        if (classDirs.isEmpty()) throw new ImageDataException(dir, "has no class sub-folders (expected DIR/CLASS/IMAGE.png)");
        List<String> names = new ArrayList<>();
        List<List<float[]>> images = new ArrayList<>();
        int firstChannels = -1;
        Path firstFile = null;
        for (Path cd : classDirs) {
            List<Path> files;
            try (Stream<Path> s = Files.list(cd)) {
                files = s.filter(p -> !hidden(p)).sorted().toList();
            } catch (IOException e) {
                throw new ImageDataException(cd, "cannot be listed: " + e.getMessage());
            }
            List<float[]> cls = new ArrayList<>();
            for (Path f : files) {
                if (Files.isDirectory(f)) throw new ImageDataException(f, "is a folder inside a class folder; expected only images");
                BufferedImage im;
                try {
                    im = ImageIO.read(f.toFile());
                } catch (IOException | RuntimeException e) {
                    throw new ImageDataException(f, "is not a readable image (" + e.getMessage() + "); remove it or convert it to PNG");
                }
                if (im == null) throw new ImageDataException(f, "is not an image javax.imageio can read (PNG, JPEG, BMP, GIF); remove it");
                int c = im.getColorModel().getNumColorComponents();
                if (firstChannels < 0) {
                    firstChannels = c;
                    firstFile = f;
                } else if (c != firstChannels) {
                    throw new ImageDataException(f, "has " + c + " colour channel(s) but " + firstFile + " has " + firstChannels
                            + "; convert the folder to one format (all grey or all RGB)");
                }
                cls.add(pixels(im, size, channels));
            }
            names.add(cd.getFileName().toString());
            images.add(cls);
        }
        return new ImageSet(dir.getFileName().toString(), names, images, channels, size);
    }

    private static boolean hidden(Path p) { return p.getFileName().toString().startsWith("."); }

    /** {@code im} resized to {@code size × size}, as CHW floats in [0, 1]; grey = ITU-R 601 luminance. */
    static float[] pixels(BufferedImage im, int size, int channels) {
        BufferedImage rgb = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(im, 0, 0, size, size, null);
        g.dispose();
        float[] out = new float[channels * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int p = rgb.getRGB(x, y);
                float r = ((p >> 16) & 0xff) / 255f, gg = ((p >> 8) & 0xff) / 255f, b = (p & 0xff) / 255f;
                int i = y * size + x;
                if (channels == 1) {
                    out[i] = 0.299f * r + 0.587f * gg + 0.114f * b;
                } else {
                    out[i] = r;
                    out[plane + i] = gg;
                    out[2 * plane + i] = b;
                }
            }
        }
        return out;
    }
}
