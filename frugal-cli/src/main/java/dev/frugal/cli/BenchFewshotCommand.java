package dev.frugal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.frugal.fewshot.Codebook;
import dev.frugal.fewshot.DomainName;
import dev.frugal.fewshot.Domains;
import dev.frugal.fewshot.EpisodeSetup;
import dev.frugal.fewshot.FewShotEvaluator;
import dev.frugal.fewshot.FinetuneConfig;
import dev.frugal.fewshot.IdpConfig;
import dev.frugal.fewshot.IdpVariant;
import dev.frugal.fewshot.MethodName;
import dev.frugal.fewshot.PretrainConfig;
import dev.frugal.fewshot.PretrainedFiles;
import dev.frugal.fewshot.Pretrainer;
import dev.frugal.tensor.Tensor;
import dev.frugal.vision.Backbone;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frugal bench fewshot [--quick] [--json FILE]}: ProtoNet, fine-tuning, FRN and IDP on the same seeded 5-way
 * 1-shot and 5-shot episodes of the four targets (MNIST, digits, glyphs, letters) from the Fashion-MNIST backbone,
 * then IDP's ablations in 5-shot. Ends with {@code {"bench":"fewshot", "acc5_<method>_<target>": …, "ci5_…", "acc1_…",
 * "ci1_…", "align_ms_per_episode", "peak_rss_mb", …}} where target {@code mean} is the mean over targets (its ci is
 * {@code √(Σ ci²)/T}, the half-width of a mean of independent estimates).
 */
@Command(name = "fewshot", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark cross-domain few-shot methods (ProtoNet, fine-tuning, FRN, IDP + ablations) on four target domains.")
public final class BenchFewshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "3 episodes per cell (a smoke run).")
    boolean quick;

    @Option(names = "--episodes", paramLabel = "N", description = "Episodes per cell of the main table (default 200; --quick 3).")
    Integer episodes;

    @Option(names = "--ablation-episodes", paramLabel = "N", description = "Episodes per cell of the 5-shot ablation table"
            + " (default: a quarter of --episodes, at least 1).")
    Integer ablationEpisodes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary JSON line here.")
    Path json;

    @Option(names = "--out", paramLabel = "DIR", description = "metrics.jsonl and PNGs (default: $FRUGAL_HOME/runs/bench-fewshot).")
    Path out;

    @Override
    public Integer call() {
        out = RunDirs.resolve(out, "bench-fewshot"); // $FRUGAL_HOME/runs/NAME unless --out, as every command
        FrugalCommand.configureThreads(spec);
        PrintWriter o = spec.commandLine().getOut();
        int n = episodes != null ? episodes : quick ? 3 : 200;
        if (n < 1) throw new ParameterException(spec.commandLine(), "--episodes: must be ≥ 1, got " + n);
        int na = ablationEpisodes != null ? ablationEpisodes : Math.max(1, n / 4);
        if (na < 1) throw new ParameterException(spec.commandLine(), "--ablation-episodes: must be ≥ 1, got " + na);
        IdpConfig idp = IdpConfig.defaults(); // 10 steps × 5 pseudo-queries, lr 2e-2, annealed BN statistics (docs/fewshot.md)
        PretrainedFiles files = PretrainedFiles.defaultFor("fmnist", Backbone.RESNET10);
        if (!Files.isRegularFile(files.backbone()) || !Files.isRegularFile(files.codebook())) {
            PretrainConfig pc = quick ? new PretrainConfig(PretrainConfig.defaults().backbone(), 200, 64, 0.05, 100, 20, 1L) : PretrainConfig.defaults();
            o.printf(Locale.ROOT, "no pretrained backbone at %s: pretraining (%d steps)%n", files.dir(), pc.steps());
            o.flush();
            Pretrainer.Result r = Pretrainer.run(Domains.load(DomainName.FMNIST, 28), pc, null);
            r.backbone().save(files.backbone());
            Codebook.save(r.codebook(), files.codebook(), "fmnist");
            r.backbone().close();
            r.codebook().close();
        }
        List<FewshotCells.Cell> cells = new ArrayList<>();
        List<FewshotCells.Cell> ablations = new ArrayList<>();
        double alignSum = 0;
        int alignN = 0;
        try (ResNet net = ResNet.load(files.backbone(), null); MetricsLog log = new MetricsLog(out.resolve("metrics.jsonl"), false)) {
            Tensor u = Codebook.load(files.codebook(), net.config().featureDim());
            o.printf(Locale.ROOT, "bench fewshot: backbone %s, %d episodes per cell (ablations %d), 5-way, 15 queries, IDP %d steps × %d pseudo-queries, lr %s%s%n",
                    files.backbone(), n, na, idp.steps(), idp.pseudoQueries(), idp.lr(), quick ? " (quick)" : "");
            o.flush();
            List<ImageSet> sets = new ArrayList<>();
            for (DomainName d : DomainName.TARGETS) sets.add(Domains.load(d, net.config().imageSize()));
            try (FewShotEvaluator ev = new FewShotEvaluator(net, u, idp, FinetuneConfig.defaults())) {
                for (int shots : new int[] {1, 5}) {
                    EpisodeSetup setup = EpisodeSetup.fiveWay(shots, n, 1L);
                    for (ImageSet set : sets) {
                        for (MethodName m : MethodName.values()) {
                            FewshotCells.Cell c = FewshotCells.run(ev, m, m.cliName(), set, setup, log);
                            cells.add(c);
                            if (m == MethodName.IDP) {
                                alignSum += c.summary().alignMillisMean();
                                alignN++;
                            }
                        }
                    }
                }
                FewshotPlots.episode(sets.get(2), new dev.frugal.vision.EpisodeSampler(sets.get(2), 5, 5, 15, 1L).episode(0),
                        "glyphs: episode 0 (5-way 5-shot, seed 1)", out.resolve("episode.png"));
            }
            EpisodeSetup setup5 = EpisodeSetup.fiveWay(5, na, 1L);
            for (IdpVariant v : List.of(IdpVariant.NO_CODEBOOK, IdpVariant.NO_BN_ALIGN, IdpVariant.NO_KL)) {
                try (FewShotEvaluator ev = new FewShotEvaluator(net, u, v.apply(idp), FinetuneConfig.defaults())) {
                    for (ImageSet set : sets) ablations.add(FewshotCells.run(ev, MethodName.IDP, v.label(), set, setup5, log));
                }
            }
            u.close();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bench", "fewshot");
        summary.put("quick", quick);
        summary.put("episodes", n);
        summary.put("ablation_episodes", na);
        summary.put("idp_steps", idp.steps());
        summary.put("idp_pseudo_queries", idp.pseudoQueries());
        summary.put("idp_lr", idp.lr());
        List<FewshotCells.Cell> all = new ArrayList<>(cells);
        all.addAll(ablations);
        for (int shots : new int[] {1, 5}) {
            for (String method : all.stream().filter(c -> c.shots() == shots).map(FewshotCells.Cell::method).distinct().toList()) {
                double mean = 0, ci2 = 0;
                int t = 0;
                for (FewshotCells.Cell c : all) {
                    if (c.shots() != shots || !c.method().equals(method)) continue;
                    summary.put("acc" + shots + "_" + method + "_" + c.target(), round(c.summary().mean()));
                    summary.put("ci" + shots + "_" + method + "_" + c.target(), round(c.summary().ci95()));
                    mean += c.summary().mean();
                    ci2 += c.summary().ci95() * c.summary().ci95();
                    t++;
                }
                summary.put("acc" + shots + "_" + method + "_mean", round(mean / t));
                summary.put("ci" + shots + "_" + method + "_mean", round(Math.sqrt(ci2) / t));
            }
        }
        summary.put("align_ms_per_episode", Math.round(alignSum / Math.max(1, alignN) * 10) / 10.0);
        summary.put("peak_rss_mb", Math.round(FewshotCells.peakRssMb()));
        o.println();
        o.printf(Locale.ROOT, "%-18s %-8s %5s %9s %7s %12s%n", "method", "target", "shots", "acc (%)", "±95%", "align ms/ep");
        for (FewshotCells.Cell c : all) {
            o.printf(Locale.ROOT, "%-18s %-8s %5d %9.2f %7.2f %12.1f%n", c.method(), c.target(), c.shots(), 100 * c.summary().mean(),
                    100 * c.summary().ci95(), c.summary().alignMillisMean());
        }
        for (int shots : new int[] {1, 5}) {
            int s = shots;
            FewshotPlots.accuracyBars(all.stream().filter(c -> c.shots() == s).toList(), String.format(Locale.ROOT,
                    "Fashion-MNIST → targets, 5-way %d-shot, %d episodes per bar%s (ResNet-10 16-32-64-64)", shots, n,
                    shots == 5 && na != n ? ", ablations " + na : ""),
                    out.resolve("accuracy_" + shots + "shot.png"));
        }
        String line;
        try {
            line = new ObjectMapper().writeValueAsString(summary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        o.println(line);
        if (json != null) {
            try {
                if (json.toAbsolutePath().getParent() != null) Files.createDirectories(json.toAbsolutePath().getParent());
                Files.writeString(json, line + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
        }
        return 0;
    }

    private static double round(double v) { return Math.round(v * 1e4) / 1e4; }
}
