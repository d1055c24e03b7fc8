package dev.frugal.influence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.influence.data.CsvDataset;
import dev.frugal.influence.data.Dataset;
import dev.frugal.influence.experiment.Mislabel;
import dev.frugal.influence.experiment.Stats;
import dev.frugal.influence.method.InfluenceMethod;
import dev.frugal.influence.method.InfluenceSetup;
import dev.frugal.influence.method.Method;
import dev.frugal.influence.model.LogisticRegression;
import dev.frugal.influence.sam.SamConfig;
import dev.frugal.influence.sam.SamTrainer;
import dev.frugal.influence.sam.TrainConfig;
import dev.frugal.influence.sam.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User CSV data and the refusals of bad input, each naming what is wrong. */
class CsvAndInputTest {

    private static Path csv(Path dir, String body) throws Exception {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, body);
        return f;
    }

    @Test
    void readsNumericFeaturesAndNamedLabel(@TempDir Path dir) throws Exception {
        Dataset d = CsvDataset.read(csv(dir, "a,kind,b\n1,cat,2\n3,dog,4\n5,cat,6\n"), "kind");
        assertEquals(3, d.size());
        assertEquals(2, d.features());
        assertEquals(java.util.List.of("cat", "dog"), d.classNames());
        assertArrayEquals(new int[] {0, 1, 0}, d.y());
        assertEquals(0, d.x()[0 * 2] + d.x()[1 * 2] + d.x()[2 * 2], 1e-12, "standardised columns have mean 0");
    }

    @Test
    void refusesBadCsvNamingTheProblem(@TempDir Path dir) throws Exception {
        String[][] cases = {
            {"a,y\n1,0\nx,1\n", "y", "'x' is not a number"},
            {"a,y\n1,0\n,1\n", "y", "missing value"},
            {"a,y\n1,0\n2,1\n", "label", "no such column"},
            {"a,y\n1,0\n2,0\n", "y", "at least two classes"},
            {"a,y\n1,0\n2\n", "y", "columns"},
        };
        for (String[] c : cases) {
            Path f = csv(dir, c[0]);
            InfluenceInputException e = assertThrows(InfluenceInputException.class, () -> CsvDataset.read(f, c[1]),
                    c[2]);
            assertTrue(e.getMessage().contains(c[2]), c[2] + " not in: " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void refusesUnconvergedModelsUnlessForcedAndScoresCsvData(@TempDir Path dir) throws Exception {
        Dataset d = Dataset.blobs(40, 3, 2, 5);
        TrainedModel early = SamTrainer.train(new LogisticRegression(3, 2), d,
                TrainConfig.fullBatch(SamConfig.sam(0.05), 0.3, 1e-2, 3, 1e-12), null, null, null);
        InfluenceInputException e = assertThrows(InfluenceInputException.class,
                () -> InfluenceSetup.of(early, d).create(Method.SAM_HIF));
        assertTrue(e.getMessage().contains("--force") && e.getMessage().contains("not converged"), e.getMessage());
        try (InfluenceMethod m = InfluenceSetup.of(early, d).withConvergence(1e-3, true).create(Method.SAM_HIF)) {
            assertEquals(d.size(), m.selfInfluence().length);
        }
        InfluenceInputException noTraj = assertThrows(InfluenceInputException.class,
                () -> InfluenceSetup.of(early, d).create(Method.TRACIN));
        assertTrue(noTraj.getMessage().contains("--checkpoint-every"), noTraj.getMessage());
    }

    /** Flipping is seeded, changes exactly the chosen share, and never keeps a flipped label. */
    @Test
    void flipsASeededFraction() {
        Dataset d = Dataset.blobs(50, 2, 3, 9);
        Mislabel.Flip a = Mislabel.flip(d, 0.1, 3), b = Mislabel.flip(d, 0.1, 3);
        assertArrayEquals(a.labels(), b.labels());
        int flipped = 0;
        for (int i = 0; i < d.size(); i++) {
            if (a.flipped()[i]) {
                flipped++;
                assertTrue(a.labels()[i] != d.y()[i]);
            } else {
                assertEquals(d.y()[i], a.labels()[i]);
            }
        }
        assertEquals(5, flipped);
    }

    @Test
    void statisticsMatchHandComputedValues() {
        assertEquals(1.0, Stats.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 25, 100}), 1e-12);
        assertEquals(-1.0, Stats.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertEquals(0.75, Stats.auc(new double[] {0.9, 0.2, 0.5, 0.6}, new boolean[] {true, false, true, false}),
                1e-12);
        assertEquals(0.5, Stats.foundInTop(new double[] {4, 3, 2, 1}, new boolean[] {true, false, true, false}, 0.25),
                1e-12);
    }
}
