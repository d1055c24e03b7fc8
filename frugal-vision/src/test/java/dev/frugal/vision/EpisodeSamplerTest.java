package dev.frugal.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EpisodeSamplerTest {

    /** A domain of {@code classes} classes with a random number of tiny images each, every image unique. */
    static ImageSet synthetic(long seed, int classes, int minPer) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> names = new ArrayList<>();
        List<List<float[]>> images = new ArrayList<>();
        int id = 0;
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
            List<float[]> cls = new ArrayList<>();
            int n = minPer + r.nextInt(10);
            for (int i = 0; i < n; i++) {
                float[] im = new float[4];
                im[0] = id++;
                cls.add(im);
            }
            images.add(cls);
        }
        return new ImageSet("synthetic", names, images, 1, 2);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42, 1234, 99991})
    void supportNeverReappearsAmongQueriesAndSameSeedSameEpisodes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int ways = 2 + r.nextInt(5), shots = 1 + r.nextInt(5), queries = 1 + r.nextInt(15);
        ImageSet set = synthetic(seed, ways + r.nextInt(8), shots + queries);
        EpisodeSampler a = new EpisodeSampler(set, ways, shots, queries, seed);
        EpisodeSampler b = new EpisodeSampler(set, ways, shots, queries, seed);
        for (int i = 0; i < 30; i++) {
            Episode e = a.episode(i);
            Set<Integer> classes = new HashSet<>();
            for (int c : e.classes()) assertTrue(classes.add(c), "seed " + seed + ": class drawn twice");
            Set<Float> support = new HashSet<>();
            for (float[] im : e.supportImages(set)) assertTrue(support.add(im[0]), "seed " + seed + ": support repeats");
            Set<Float> query = new HashSet<>();
            for (float[] im : e.queryImages(set)) {
                assertFalse(support.contains(im[0]), "seed " + seed + ": support image " + im[0] + " among the queries");
                assertTrue(query.add(im[0]), "seed " + seed + ": query repeats");
            }
            assertEquals(ways * shots, support.size());
            Episode f = b.episode(i);
            assertArrayEquals(e.classes(), f.classes(), "seed " + seed);
            for (int n = 0; n < ways; n++) {
                assertArrayEquals(e.support()[n], f.support()[n], "seed " + seed);
                assertArrayEquals(e.query()[n], f.query()[n], "seed " + seed);
            }
        }
    }

    @Test
    void tooFewImagesOrClassesAreNamed() {
        ImageSet set = synthetic(3, 4, 3);
        EpisodeException e = assertThrows(EpisodeException.class, () -> new EpisodeSampler(set, 5, 1, 1, 1));
        assertTrue(e.getMessage().contains("4 classes"), e.getMessage());
        EpisodeException f = assertThrows(EpisodeException.class, () -> new EpisodeSampler(set, 3, 5, 15, 1));
        assertTrue(f.getMessage().contains("class 'c0'") && f.getMessage().contains("20"), f.getMessage());
    }
}
