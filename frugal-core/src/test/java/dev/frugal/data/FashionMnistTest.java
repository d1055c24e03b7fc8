package dev.frugal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import dev.frugal.testing.SeededCases;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    private static Path dir;
    private static FashionMnist data;

    @BeforeAll
    static void install() {
        dir = TestDatasets.ensure(DatasetName.FMNIST);
        data = FashionMnist.read(dir);
    }

    @Test
    void sizesAndBalancedClasses() {
        assertArrayEquals(new int[] {60000, 28, 28}, data.trainImages().dims());
        assertArrayEquals(new int[] {10000, 28, 28}, data.testImages().dims());
        int[] train = new int[10];
        int[] test = new int[10];
        for (byte b : data.trainLabels().data()) {
            train[b]++;
        }
        for (byte b : data.testLabels().data()) {
            test[b]++;
        }
        int[] sixThousand = new int[10];
        int[] thousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        Arrays.fill(thousand, 1000);
        assertArrayEquals(sixThousand, train);
        assertArrayEquals(thousand, test);
        assertEquals(9, data.trainLabels().data()[0], "the first training image is an ankle boot");
        float[] px = FashionMnist.pixels(data.trainImages(), 0);
        assertEquals(784, px.length);
        assertTrue(px[400] >= 0 && px[400] <= 1);
    }

    @Test
    void truncatedFileIsTypedErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        copyAll(tmp);
        Path f = tmp.resolve("t10k-labels-idx1-ubyte.gz");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 100));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnist.read(tmp));
        assertEquals(f, e.file());
    }

    @Test
    void wrongMagicIsTypedError(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("labels-as-images.gz");
        Files.copy(dir.resolve("t10k-labels-idx1-ubyte.gz"), f);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> IdxFile.readGz(f, IdxFile.IMAGES_MAGIC));
        assertTrue(e.getMessage().contains("magic 0x00000801"), e.getMessage());
    }

    static LongStream garbage() { return SeededCases.seeds("idx-garbage", 30); }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("garbage")
    void garbageIsTypedError(long seed, @TempDir Path tmp) throws IOException {
        SeededCases.Case c = SeededCases.of(seed);
        Path f = tmp.resolve("garbage.gz");
        try {
            Files.write(f, c.bytes("junk", c.intIn("length", 0, 3000)));
            assertThrows(DatasetFormatException.class, () -> IdxFile.readGz(f, IdxFile.LABELS_MAGIC), c.toString());
        } finally {
            Files.delete(f);
        }
    }

    private static void copyAll(Path tmp) throws IOException {
        for (String n : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            Files.copy(dir.resolve(n), tmp.resolve(n));
        }
    }
}
