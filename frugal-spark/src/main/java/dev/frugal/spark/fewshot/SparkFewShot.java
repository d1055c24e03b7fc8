package dev.frugal.spark.fewshot;

import dev.frugal.fewshot.Codebook;
import dev.frugal.fewshot.Domains;
import dev.frugal.fewshot.EpisodeResult;
import dev.frugal.fewshot.EpisodeSetup;
import dev.frugal.fewshot.FewShotEvaluator;
import dev.frugal.fewshot.FewShotExperiment;
import dev.frugal.fewshot.FinetuneConfig;
import dev.frugal.fewshot.IdpConfig;
import dev.frugal.fewshot.MethodName;
import dev.frugal.spark.DistZoTrainer;
import dev.frugal.tensor.Tensor;
import dev.frugal.tensor.Threads;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNet;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Few-shot episodes spread over Spark executors. Episodes are independent and each is fully determined by the run
 * seed and its index ({@link FewShotExperiment}), so a partition of episode indices run on an executor gives exactly
 * the results a local run gives for those episodes; the driver only sorts them by index.
 */
public final class SparkFewShot {
    private SparkFewShot() {}

    /**
     * What every executor needs: files and names it can open itself (the backbone, the codebook, the target domain by
     * name or folder — all reachable from the executors, as on one machine or a shared file system).
     */
    public record Job(String backbone, String codebook, String target, MethodName method, EpisodeSetup setup, IdpConfig idp,
            FinetuneConfig finetune, int threadsPerTask) implements Serializable {
        public Job {
            if (threadsPerTask < 1) throw new IllegalArgumentException("threadsPerTask must be ≥ 1, got " + threadsPerTask);
        }
    }

    /** Spark settings for an episode job on {@code master} (the executor JVM flags libtorch needs). */
    public static SparkConf sparkConf(String master) {
        SparkConf c = new SparkConf().setAppName("frugal-fewshot").setMaster(master);
        c.setIfMissing("spark.ui.showConsoleProgress", "false");
        c.setIfMissing("spark.executor.extraJavaOptions", DistZoTrainer.JAVA_OPENS + " -Dorg.bytedeco.javacpp.maxPhysicalBytes=0");
        return c;
    }

    /** Runs all episodes of {@code job} in {@code partitions} Spark tasks; results in episode order. */
    public static List<EpisodeResult> run(SparkContext sc, Job job, int partitions) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        sc.setJobDescription("frugal fewshot " + job.method().cliName() + " on " + job.target() + " (" + job.setup().episodes() + " episodes)");
        List<Integer> idx = IntStream.of(job.setup().indices()).boxed().toList();
        List<EpisodeResult> out = new ArrayList<>(jsc.parallelize(idx, partitions).mapPartitions(new EpisodeTask(job)).collect());
        out.sort(Comparator.comparingInt(EpisodeResult::index));
        return out;
    }

    /** One Spark task: loads the backbone, codebook and domain, then runs its episodes. */
    static final class EpisodeTask implements FlatMapFunction<Iterator<Integer>, EpisodeResult> {
        private final Job job;

        EpisodeTask(Job job) { this.job = job; }

        @Override
        public Iterator<EpisodeResult> call(Iterator<Integer> indices) {
            List<Integer> mine = new ArrayList<>();
            indices.forEachRemaining(mine::add);
            if (mine.isEmpty()) return List.<EpisodeResult>of().iterator();
            Threads.configureThisThread(job.threadsPerTask());
            try (ResNet net = ResNet.load(Path.of(job.backbone()), null)) {
                Tensor u = Codebook.load(Path.of(job.codebook()), net.config().featureDim());
                ImageSet set = Domains.resolve(job.target(), net.config().imageSize());
                try (FewShotEvaluator ev = new FewShotEvaluator(net, u, job.idp(), job.finetune())) {
                    return FewShotExperiment.run(ev, job.method(), set, job.setup(), mine.stream().mapToInt(Integer::intValue).toArray(), null)
                            .iterator();
                } finally {
                    u.close();
                }
            }
        }
    }
}
