package dev.frugal.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.frugal.tensor.Tensor;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNetConfig;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tiny pretraining on real Fashion-MNIST, then every method on the same real MNIST episodes: accuracies are valid,
 * above chance for the pretrained features, and a second run with the same seed is bit-identical.
 */
class FewShotEndToEndTest {
    private static ImageSet source;
    private static ImageSet target;
    private static Pretrainer.Result p;

    @BeforeAll
    static void pretrain() {
        source = Domains.load(DomainName.FMNIST, 28).limit(300);
        target = Domains.load(DomainName.MNIST, 28).limit(40);
        PretrainConfig cfg = new PretrainConfig(new ResNetConfig(dev.frugal.vision.Backbone.RESNET10, 1, List.of(8, 16, 32, 32), 28),
                40, 32, 0.05, 20, 5, 7L);
        p = Pretrainer.run(source, cfg, null);
    }

    @AfterAll
    static void close() {
        p.backbone().close();
        p.codebook().close();
    }

    @Test
    void everyMethodRunsOnTheSameSeededEpisodesBitIdentically() {
        Tensor u = p.codebook();
        assertEquals(source.classCount() * 5L, u.size(0));
        EpisodeSetup setup = EpisodeSetup.fiveWay(1, 3, 11L);
        IdpConfig idp = IdpConfig.defaults().withSteps(3).withPseudoQueries(3);
        FinetuneConfig ft = new FinetuneConfig(5, 4, 0.01, false);
        try (FewShotEvaluator ev = new FewShotEvaluator(p.backbone(), u, idp, ft);
             FewShotEvaluator ev2 = new FewShotEvaluator(p.backbone(), u, idp, ft)) {
            double mean = 0;
            for (MethodName m : MethodName.values()) {
                List<EpisodeResult> a = FewShotExperiment.run(ev, m, target, setup, null);
                List<EpisodeResult> b = FewShotExperiment.run(ev2, m, target, setup, null);
                assertEquals(accuracies(a), accuracies(b), m + ": same seed, different results");
                // a single episode alone (a Spark partition) equals the same episode inside a full run
                List<EpisodeResult> alone = FewShotExperiment.run(ev, m, target, setup, new int[] {2}, null);
                assertEquals(accuracies(a).get(2), accuracies(alone).get(0), m + ": episode 2 alone differs");
                // a run that starts at episode 1 continues the first run: its results are episodes 1 and 2 of it
                List<EpisodeResult> cont = FewShotExperiment.run(ev, m, target, new EpisodeSetup(5, 1, 15, 2, 11L, 1), null);
                assertEquals(List.of(1, 2), cont.stream().map(EpisodeResult::index).toList(), m + ": continued run's episode indices");
                assertEquals(accuracies(a).subList(1, 3), accuracies(cont), m + ": a run from episode 1 differs from episodes 1-2 of the full run");
                mean += Summary.of(a).mean() / MethodName.values().length;
                if (m == MethodName.IDP) assertTrue(a.get(0).alignMillis() > 0, "IDP alignment time not measured");
            }
            assertTrue(mean > 0.25, "mean accuracy " + mean + " is not above 5-way chance (0.2)");
        }
    }

    /**
     * The BN-statistics modes, with γ, β held still (lr 1e-30, far below a float's resolution at their size): without
     * a statistics update IDP classifies exactly as FRN; {@link BnStatistics#ANNEALED} moves the running statistics
     * exactly as BN training mode does (same pseudo-batches, same annealed momenta) while its loss forward uses the
     * running statistics, so both classify the queries alike.
     */
    @Test
    void bnStatisticsModesMoveOnlyTheStatisticsTheyClaim() {
        EpisodeSetup setup = EpisodeSetup.fiveWay(5, 3, 13L);
        IdpConfig still = IdpConfig.defaults().withSteps(3).withPseudoQueries(2).withLr(1e-30);
        FinetuneConfig ft = FinetuneConfig.defaults();
        List<String> frn = run(MethodName.FRN, still, ft, setup);
        assertEquals(frn, run(MethodName.IDP, still.withBn(BnStatistics.SOURCE), ft, setup), "SOURCE with γ, β still ≠ FRN");
        assertEquals(frn, run(MethodName.IDP, still.withBn(BnStatistics.ANNEALED).withSteps(0), ft, setup), "0 steps ≠ FRN");
        List<String> annealed = run(MethodName.IDP, still.withBn(BnStatistics.ANNEALED), ft, setup);
        assertEquals(run(MethodName.IDP, still.withBn(BnStatistics.TRAIN_MODE), ft, setup), annealed,
                "ANNEALED's statistics differ from training mode's statistics update");
        for (int e = 0; e < frn.size(); e++) // the statistics did move: other query logits than the source's
            assertNotEquals(frn.get(e), annealed.get(e), "episode " + e + ": ANNEALED left the statistics as they were");
    }

    private static List<String> run(MethodName m, IdpConfig idp, FinetuneConfig ft, EpisodeSetup setup) {
        try (FewShotEvaluator ev = new FewShotEvaluator(p.backbone(), p.codebook(), idp, ft)) {
            return accuracies(FewShotExperiment.run(ev, m, target, setup, null));
        }
    }

    /**
     * Per episode, the bit pattern of the accuracy and the digest of the query logits (wall times differ between runs;
     * the logits must not, to the bit).
     */
    private static List<String> accuracies(List<EpisodeResult> r) {
        return r.stream().map(e -> Long.toHexString(Double.doubleToRawLongBits(e.accuracy())) + "/"
                + Long.toHexString(e.logitsDigest())).toList();
    }
}
