package dev.frugal.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Raster figures drawn by hand (image grids, depth triptychs) written as PNG files; charts go through {@link LinePlot}. */
final class Png {
    private Png() {}

    /**
     * Writes {@code img} to {@code png}, creating its parent directories.
     *
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    static void write(BufferedImage img, Path png) {
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }
}
