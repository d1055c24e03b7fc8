package dev.frugal.spark.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.frugal.fewshot.Codebook;
import dev.frugal.fewshot.DomainName;
import dev.frugal.fewshot.Domains;
import dev.frugal.fewshot.EpisodeResult;
import dev.frugal.fewshot.EpisodeSetup;
import dev.frugal.fewshot.FewShotEvaluator;
import dev.frugal.fewshot.FewShotExperiment;
import dev.frugal.fewshot.FinetuneConfig;
import dev.frugal.fewshot.IdpConfig;
import dev.frugal.fewshot.MethodName;
import dev.frugal.fewshot.PretrainConfig;
import dev.frugal.fewshot.Pretrainer;
import dev.frugal.tensor.Threads;
import dev.frugal.vision.Backbone;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNetConfig;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Episodes spread over Spark tasks ({@code local[2]}, 3 partitions) give the accuracies of a local run, bit for bit. */
class SparkFewShotTest {
    @TempDir
    Path tmp;

    @Test
    void sparkRunEqualsLocalRunForTheSameSeeds() {
        Path backbone = tmp.resolve("backbone.safetensors"), codebook = tmp.resolve("codebook.safetensors");
        Pretrainer.Result p = pretrain(10, 3L, backbone, codebook);
        EpisodeSetup setup = EpisodeSetup.fiveWay(1, 5, 9L);
        IdpConfig idp = IdpConfig.defaults().withSteps(2).withPseudoQueries(2);
        FinetuneConfig ft = new FinetuneConfig(3, 4, 0.01, false);
        ImageSet target = Domains.load(DomainName.MNIST, 28);
        SparkContext sc = new SparkContext(SparkFewShot.sparkConf("local[2]"));
        try (FewShotEvaluator ev = new FewShotEvaluator(p.backbone(), p.codebook(), idp, ft)) {
            for (MethodName m : List.of(MethodName.PROTONET, MethodName.IDP)) {
                List<EpisodeResult> local = FewShotExperiment.run(ev, m, target, setup, null);
                List<EpisodeResult> spark = SparkFewShot.run(sc, new SparkFewShot.Job(backbone.toString(), codebook.toString(), "mnist", m,
                        setup, idp, ft, 1), 3);
                assertEquals(bits(local), bits(spark), m + ": Spark and local runs differ");
            }
        } finally {
            sc.stop();
            p.backbone().close();
            p.codebook().close();
        }
    }

    /** The same on a real standalone cluster (master, 2 workers, separate executor JVMs) from {@code LoopbackCluster}. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
    void standaloneClusterRunEqualsLocalRun() {
        Path backbone = tmp.resolve("b.safetensors"), codebook = tmp.resolve("c.safetensors");
        Pretrainer.Result p = pretrain(5, 5L, backbone, codebook);
        EpisodeSetup setup = EpisodeSetup.fiveWay(5, 4, 13L);
        IdpConfig idp = IdpConfig.defaults().withSteps(2).withPseudoQueries(2);
        FinetuneConfig ft = FinetuneConfig.defaults();
        ImageSet target = Domains.load(DomainName.DIGITS, 28);
        try (dev.frugal.spark.LoopbackCluster cluster = dev.frugal.spark.LoopbackCluster.start(tmp.resolve("spark-home"),
                System.getProperty("java.class.path"), 2, 1);
             FewShotEvaluator ev = new FewShotEvaluator(p.backbone(), p.codebook(), idp, ft)) {
            org.apache.spark.SparkConf conf = SparkFewShot.sparkConf(cluster.masterUrl());
            cluster.appConf().forEach(conf::set);
            conf.set("spark.executor.extraJavaOptions", dev.frugal.spark.DistZoTrainer.JAVA_OPENS
                    + " -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dfrugal.home=" + dev.frugal.data.FrugalHome.root());
            SparkContext sc = new SparkContext(conf);
            try {
                List<EpisodeResult> local = FewShotExperiment.run(ev, MethodName.IDP, target, setup, null);
                List<EpisodeResult> spark = SparkFewShot.run(sc, new SparkFewShot.Job(backbone.toString(), codebook.toString(), "digits",
                        MethodName.IDP, setup, idp, ft, 1), 2);
                assertEquals(bits(local), bits(spark), "standalone cluster and local runs differ");
            } finally {
                sc.stop();
            }
        } finally {
            p.backbone().close();
            p.codebook().close();
        }
    }

    /**
     * A tiny ResNet-10 pretrained for {@code steps} steps on 200 Fashion-MNIST images (one thread), saved with its
     * codebook where the Spark executors load them.
     */
    private static Pretrainer.Result pretrain(int steps, long seed, Path backbone, Path codebook) {
        Threads.configure(1);
        ImageSet source = Domains.load(DomainName.FMNIST, 28).limit(200);
        PretrainConfig pc = new PretrainConfig(new ResNetConfig(Backbone.RESNET10, 1, List.of(8, 8, 16, 16), 28), steps, 16, 0.05, 20, 4, seed);
        Pretrainer.Result p = Pretrainer.run(source, pc, null);
        p.backbone().save(backbone);
        Codebook.save(p.codebook(), codebook, "fmnist");
        return p;
    }

    private static List<String> bits(List<EpisodeResult> r) {
        return r.stream().map(e -> e.index() + ":" + Long.toHexString(Double.doubleToRawLongBits(e.accuracy())) + "/"
                + Long.toHexString(e.logitsDigest())).toList(); // the query logits to the bit, not only the accuracy
    }
}
