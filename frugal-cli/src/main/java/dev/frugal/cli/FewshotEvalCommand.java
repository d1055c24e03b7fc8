package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.fewshot.BnStatistics;
import dev.frugal.fewshot.Codebook;
import dev.frugal.fewshot.Domains;
import dev.frugal.fewshot.EpisodeSetup;
import dev.frugal.fewshot.FewShotEvaluator;
import dev.frugal.fewshot.FinetuneConfig;
import dev.frugal.fewshot.IdpConfig;
import dev.frugal.fewshot.IdpVariant;
import dev.frugal.fewshot.MethodName;
import dev.frugal.fewshot.PretrainedFiles;
import dev.frugal.tensor.Tensor;
import dev.frugal.vision.Backbone;
import dev.frugal.vision.BackboneCheckpointException;
import dev.frugal.vision.EpisodeSampler;
import dev.frugal.vision.ImageSet;
import dev.frugal.vision.ResNet;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal fewshot eval --method protonet|finetune|frn|idp --target NAME|DIR --shots 1|5 --episodes N [--json FILE]}.
 * Methods and targets may be comma-separated lists; every method runs on the same seeded episodes of a target.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate few-shot methods on seeded N-way K-shot episodes of target domains (mean ± 95%% CI).")
public final class FewshotEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--method", required = true, split = ",", paramLabel = "M", description = "protonet | finetune | frn | idp (comma list);"
            + " IDP ablations: idp-no-codebook | idp-no-bn-align | idp-no-kl.")
    List<String> methods;

    @Option(names = "--target", required = true, split = ",", paramLabel = "NAME|DIR",
            description = "mnist | digits | glyphs | letters | fmnist, or a folder of class folders (comma list).")
    List<String> targets;

    @Option(names = "--shots", paramLabel = "K", defaultValue = "5", description = "K labelled images per class (default: ${DEFAULT-VALUE}).")
    int shots;

    @Option(names = "--episodes", paramLabel = "N", defaultValue = "100", description = "Episodes (default: ${DEFAULT-VALUE}; the literature: 600).")
    int episodes;

    @Option(names = "--first-episode", paramLabel = "F", defaultValue = "0", description = "Run episodes F … F+N−1 (default: ${DEFAULT-VALUE}):"
            + " with the same seed they continue an earlier run of episodes 0 … F−1 exactly, and the per-episode metrics pool.")
    int firstEpisode;

    @Option(names = "--ways", paramLabel = "N", defaultValue = "5", description = "Classes per episode (default: ${DEFAULT-VALUE}).")
    int ways;

    @Option(names = "--queries", paramLabel = "Q", defaultValue = "15", description = "Queries per class (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Episode seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--source", paramLabel = "NAME", defaultValue = "fmnist", description = "Source the backbone was pretrained on (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--backbone", paramLabel = "ARCH", description = "resnet10 | resnet12: the checkpoint must be of this architecture"
            + " (default: resnet10 for the default location, else whatever the checkpoint holds).")
    String backbone;

    @Option(names = "--pretrained", paramLabel = "DIR", description = "Folder with backbone.safetensors and codebook.safetensors"
            + " (default: $FRUGAL_HOME/fewshot/SOURCE-ARCH, written by `frugal fewshot pretrain`).")
    Path pretrained;

    @Option(names = "--idp-steps", paramLabel = "N", defaultValue = "10", description = "IDP alignment steps per episode (default: ${DEFAULT-VALUE}; the authors': 50).")
    int idpSteps;

    @Option(names = "--pseudo-queries", paramLabel = "Q", defaultValue = "5", description = "IDP pseudo-queries per class (default: ${DEFAULT-VALUE}; the authors': 15).")
    int pseudoQueries;

    @Option(names = "--idp-bn", paramLabel = "MODE", defaultValue = "annealed", description = "IDP: BN statistics during the"
            + " alignment and at inference: annealed (running statistics moved toward the pseudo-batches with the authors' annealed"
            + " momentum, every forward normalised by them) | train-mode (loss forward with batch statistics, inference with the"
            + " running ones) | authors (batch statistics during alignment and inference, as the authors' code) | source"
            + " (= idp-no-bn-align) (default: ${DEFAULT-VALUE}).")
    BnStatistics idpBn;

    @Option(names = "--idp-lr", paramLabel = "LR", defaultValue = "2e-2", description = "IDP: Adam learning rate on BN's γ, β (default: ${DEFAULT-VALUE}, chosen on"
            + " validation episodes; the authors': 1e-3).")
    double idpLr;

    @Option(names = "--finetune-backbone", description = "fine-tuning: also train the backbone (default: frozen, linear head only).")
    boolean finetuneBackbone;

    @Option(names = "--spark-master", paramLabel = "URL", description = "Spread the episodes over Spark executors (local[N],"
            + " spark://HOST:PORT); the numbers equal a local run's for the same seed. Files and folders must be reachable"
            + " from the executors.")
    String sparkMaster;

    @Option(names = "--spark-partitions", paramLabel = "P", defaultValue = "4", description = "Spark tasks per (method, target) (default: ${DEFAULT-VALUE}).")
    int sparkPartitions;

    @Option(names = "--json", paramLabel = "FILE", description = "Write one JSON object per (method, target): method, target, shots, episodes, acc, ci.")
    Path json;

    @Option(names = "--out", paramLabel = "DIR", description = "metrics.jsonl and PNGs (default: $FRUGAL_HOME/runs/fewshot).")
    Path out;

    @Override
    public Integer call() {
        out = RunDirs.resolve(out, "fewshot"); // $FRUGAL_HOME/runs/NAME unless --out, as every command
        List<MethodName> ms = new ArrayList<>();
        List<IdpVariant> variants = new ArrayList<>(); // parallel to ms: the IDP variant, or null
        for (String m : methods) {
            try {
                ms.add(MethodName.of(m));
                variants.add(ms.getLast() == MethodName.IDP ? IdpVariant.FULL : null);
            } catch (IllegalArgumentException e) {
                try {
                    variants.add(IdpVariant.of(m));
                    ms.add(MethodName.IDP);
                } catch (IllegalArgumentException e2) {
                    throw new ParameterException(spec.commandLine(), "--method: " + e.getMessage() + " (or an IDP ablation: "
                            + "idp-no-codebook, idp-no-bn-align, idp-no-kl)");
                }
            }
        }
        EpisodeSetup setup;
        IdpConfig idp;
        try {
            setup = new EpisodeSetup(ways, shots, queries, episodes, seed, firstEpisode);
            idp = IdpConfig.defaults().withSteps(idpSteps).withPseudoQueries(pseudoQueries).withBn(idpBn).withLr(idpLr);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Backbone arch = null;
        if (backbone != null) {
            try {
                arch = Backbone.of(backbone);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--backbone: " + e.getMessage());
            }
        }
        FrugalCommand.configureThreads(spec);
        PrintWriter o = spec.commandLine().getOut();
        PretrainedFiles files = pretrained != null ? new PretrainedFiles(pretrained)
                : PretrainedFiles.defaultFor(source, arch != null ? arch : Backbone.RESNET10);
        try (ResNet net = loadBackbone(files, arch)) {
            Tensor u = Codebook.load(files.codebook(), net.config().featureDim());
            FinetuneConfig ft = FinetuneConfig.defaults().withTuneBackbone(finetuneBackbone);
            List<FewshotCells.Cell> cells = new ArrayList<>();
            if (sparkPartitions < 1) throw new ParameterException(spec.commandLine(), "--spark-partitions must be ≥ 1");
            org.apache.spark.SparkContext sc = sparkMaster == null ? null
                    : new org.apache.spark.SparkContext(dev.frugal.spark.fewshot.SparkFewShot.sparkConf(sparkMaster));
            try (MetricsLog log = new MetricsLog(out.resolve("metrics.jsonl"), false)) {
                o.printf(Locale.ROOT, "backbone %s (%s), codebook %d × %d; %d-way %d-shot, %d queries/class, %d episodes, seed %d%n",
                        files.backbone(), net.config().backbone().cliName(), u.size(0), u.size(1), ways, shots, queries, episodes, seed);
                o.flush();
                boolean first = true;
                for (String t : targets) {
                    ImageSet set = Domains.resolve(t, net.config().imageSize());
                    new EpisodeSampler(set, ways, shots, queries, seed); // refuses too few classes / images before any work
                    if (first) {
                        FewshotPlots.episode(set, new EpisodeSampler(set, ways, shots, queries, seed).episode(0),
                                set.name() + ": episode 0 (" + ways + "-way " + shots + "-shot, seed " + seed + ")", out.resolve("episode.png"));
                        first = false;
                    }
                    for (int i = 0; i < ms.size(); i++) {
                        IdpVariant v = variants.get(i);
                        String label = v == null ? ms.get(i).cliName() : v.label();
                        if (sc != null) {
                            o.printf(Locale.ROOT, "spark %s: %s on %s, %d episodes in %d tasks%n", sparkMaster, label, set.name(), episodes, sparkPartitions);
                            o.flush();
                            List<dev.frugal.fewshot.EpisodeResult> rs = dev.frugal.spark.fewshot.SparkFewShot.run(sc,
                                    new dev.frugal.spark.fewshot.SparkFewShot.Job(files.backbone().toAbsolutePath().toString(),
                                            files.codebook().toAbsolutePath().toString(), t, ms.get(i), setup, v == null ? idp : v.apply(idp), ft, 1),
                                    sparkPartitions);
                            cells.add(FewshotCells.of(label, set.name(), shots, rs, log));
                            continue;
                        }
                        try (FewShotEvaluator ev = new FewShotEvaluator(net, u, v == null ? idp : v.apply(idp), ft)) {
                            cells.add(FewshotCells.run(ev, ms.get(i), label, set, setup, log));
                        }
                    }
                }
            } finally {
                u.close();
                if (sc != null) sc.stop();
            }
            o.println();
            o.printf(Locale.ROOT, "%-10s %-10s %5s %8s %9s %8s %12s%n", "method", "target", "shots", "episodes", "acc (%)", "±95%", "align ms/ep");
            for (FewshotCells.Cell c : cells) {
                o.printf(Locale.ROOT, "%-10s %-10s %5d %8d %9.2f %8.2f %12.1f%n", c.method(), c.target(), c.shots(), c.summary().episodes(),
                        100 * c.summary().mean(), 100 * c.summary().ci95(), c.summary().alignMillisMean());
            }
            Path png = out.resolve("accuracy.png");
            FewshotPlots.accuracyBars(cells, String.format(Locale.ROOT, "%d-way %d-shot accuracy, %d episodes, source %s (%s)",
                    ways, shots, episodes, source, net.config().backbone().cliName()), png);
            o.printf("metrics   %s%nplot      %s%nepisode   %s%n", out.resolve("metrics.jsonl"), png, out.resolve("episode.png"));
            if (json != null) writeJson(cells);
            return 0;
        }
    }

    private void writeJson(List<FewshotCells.Cell> cells) {
        ObjectMapper om = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (FewshotCells.Cell c : cells) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", c.method());
            m.put("target", c.target());
            m.put("shots", c.shots());
            m.put("episodes", c.summary().episodes());
            m.put("acc", c.summary().mean());
            m.put("ci", c.summary().ci95());
            m.put("align_ms", c.summary().alignMillisMean());
            try {
                sb.append(om.writeValueAsString(m)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            if (json.toAbsolutePath().getParent() != null) Files.createDirectories(json.toAbsolutePath().getParent());
            Files.writeString(json, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json, e);
        }
    }

    /** Loads the backbone; with {@code arch} given, a checkpoint of another architecture is refused. */
    static ResNet loadBackbone(PretrainedFiles files, Backbone arch) {
        ResNet net = ResNet.load(files.backbone(), null);
        if (arch != null && net.config().backbone() != arch) {
            Backbone held = net.config().backbone();
            net.close();
            throw new BackboneCheckpointException("backbone checkpoint " + files.backbone() + " holds a " + held.cliName()
                    + ", not the " + arch.cliName() + " asked for by --backbone; pretrain one with `frugal fewshot pretrain --backbone "
                    + arch.cliName() + "` or drop --backbone");
        }
        return net;
    }

    static ProgressBar bar(String task, long max) {
        return Progress.onStderr(task, max);
    }
}
