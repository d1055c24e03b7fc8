package dev.frugal.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Rng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    static void png(Path file, int type, int value) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage im = new BufferedImage(12, 12, type);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 12; x++) im.getRaster().setSample(x, y, 0, (value + x * 10) & 0xff);
        ImageIO.write(im, "png", file.toFile());
    }

    @Test
    void readsClassFoldersAndResizes(@TempDir Path dir) throws IOException {
        for (int c = 0; c < 3; c++) for (int i = 0; i < 4; i++) png(dir.resolve("k" + c).resolve(i + ".png"), BufferedImage.TYPE_BYTE_GRAY, 40 * c + i);
        ImageSet set = ImageFolder.read(dir, 16, 1);
        assertEquals(List.of("k0", "k1", "k2"), set.classNames());
        assertEquals(12, set.total());
        assertEquals(16 * 16, set.images().get(0).get(0).length);
    }

    @Test
    void nonImageAndMixedChannelsAreNamed(@TempDir Path dir) throws IOException {
        png(dir.resolve("a").resolve("0.png"), BufferedImage.TYPE_BYTE_GRAY, 1);
        Path bad = dir.resolve("a").resolve("notes.txt");
        Files.writeString(bad, "not an image");
        ImageDataException e = assertThrows(ImageDataException.class, () -> ImageFolder.read(dir, 16, 1));
        assertEquals(bad, e.path());
        Files.delete(bad);
        Path rgb = dir.resolve("b").resolve("0.png");
        png(rgb, BufferedImage.TYPE_INT_RGB, 5);
        ImageDataException m = assertThrows(ImageDataException.class, () -> ImageFolder.read(dir, 16, 1));
        assertEquals(rgb, m.path());
        assertTrue(m.getMessage().contains("channel"), m.getMessage());
    }

    @Test
    void augmentationIsSeededAndStaysInRange() {
        float[] im = new float[28 * 28];
        for (int i = 0; i < im.length; i++) im[i] = (i % 28) / 27f;
        Augmenter a = new Augmenter(AugmentConfig.standard());
        List<float[]> x = a.apply(List.of(im, im), 1, 28, Rng.seeded("aug", 5));
        List<float[]> y = a.apply(List.of(im, im), 1, 28, Rng.seeded("aug", 5));
        List<float[]> z = a.apply(List.of(im, im), 1, 28, Rng.seeded("aug", 6));
        assertArrayEquals(x.get(0), y.get(0));
        assertArrayEquals(x.get(1), y.get(1));
        assertNotEquals(java.util.Arrays.hashCode(x.get(0)), java.util.Arrays.hashCode(z.get(0)));
        for (float v : x.get(0)) assertTrue(v >= 0 && v <= 1, "pixel " + v);
    }
}
